// RSI written for this project's tests against Gekko's documented strategy API: overbought sells,
// oversold buys, once per zone after `persistence` candles.
var _ = require('lodash');

var strategy = {
  init: function () {
    this.trend = {direction: 'none', duration: 0, persisted: false, adviced: false};
    this.addIndicator('rsi', 'RSI', {interval: this.settings.interval});
  },

  zone: function (direction, action) {
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
  },

  check: function (candle) {
    var rsi = this.indicators.rsi.result;
    var limits = this.settings.thresholds;
    if (rsi > limits.high) this.zone('high', 'short');
    else if (rsi < limits.low) this.zone('low', 'long');
    else this.advice();
  }
};

module.exports = _.extend({}, strategy);
