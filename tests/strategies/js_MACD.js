// MACD written for this project's tests against Gekko's documented strategy API: the histogram
// beyond a threshold for `persistence` candles advises once per trend.
var strategy = {};

strategy.init = function () {
  this.requiredHistory = this.tradingAdvisor.historySize;
  this.trend = {direction: 'none', duration: 0, persisted: false, adviced: false};
  this.addIndicator('macd', 'MACD', this.settings);
};

strategy.zone = function (direction, action) {
  if (this.trend.direction !== direction) {
    this.trend = {direction: direction, duration: 0, persisted: false, adviced: false};
  }
  this.trend.duration++;
  if (this.trend.duration >= this.settings.thresholds.persistence) this.trend.persisted = true;
  if (this.trend.persisted && !this.trend.adviced) {
    this.trend.adviced = true;
    this.advice(action);
  } else {
    this.advice();
  }
};

strategy.check = function () {
  var histogram = this.indicators.macd.result;
  var limits = this.settings.thresholds;
  if (histogram > limits.up) this.zone('up', 'long');
  else if (histogram < limits.down) this.zone('down', 'short');
  else this.advice();
};

module.exports = strategy;
