// DEMA written for this project's tests against Gekko's documented strategy API: the SMA above the
// DEMA by more than `up` goes long, below by more than `down` goes short.
var log = require('../core/log.js');

var strategy = {};

strategy.init = function () {
  this.currentTrend = undefined;
  this.addIndicator('dema', 'DEMA', this.settings);
  this.addIndicator('sma', 'SMA', this.settings.weight);
};

strategy.check = function (candle) {
  var diff = this.indicators.sma.result - this.indicators.dema.result;
  log.debug('diff at', candle.start.format('YYYY-MM-DD HH:mm'), diff);
  if (diff > this.settings.thresholds.up) {
    if (this.currentTrend !== 'up') {
      this.currentTrend = 'up';
      this.advice('long');
    }
  } else if (diff < this.settings.thresholds.down && this.currentTrend !== 'down') {
    this.currentTrend = 'down';
    this.advice('short');
  }
};

module.exports = strategy;
