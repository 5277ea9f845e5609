# docker compose targets (included by the Makefile).
.PHONY: up down

up: ## docker compose: build and start everything (needs GEKKO_API_TOKEN and GEKKO_SECRET_KEY)
	docker compose up -d --build

down: ## docker compose: stop everything (volumes are kept)
	docker compose down
