// Highest and lowest price of the last `period` prices, over Gekko's native SMA for the middle.
var SMA = require('./SMA.js');

var Indicator = function (settings) {
  this.input = 'price';
  this.period = settings.period;
  this.prices = [];
  this.sma = new SMA(settings.period);
  this.high = 0;
  this.low = 0;
  this.middle = 0;
};

Indicator.prototype.update = function (price) {
  this.prices.push(price);
  if (this.prices.length > this.period) this.prices.shift();
  this.sma.update(price);
  this.high = Math.max.apply(null, this.prices);
  this.low = Math.min.apply(null, this.prices);
  this.middle = this.sma.result;
};

module.exports = Indicator;
