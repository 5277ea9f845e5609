// Exercises the strategy API for this project's tests: it throws as soon as something differs from
// Gekko's, and otherwise buys on the first check and sells on the second with a trailing stop first.
var _ = require('lodash');
var moment = require('moment');
var util = require('../core/util');
var Channel = require('./indicators/Channel.js');

var strategy = {};

strategy.init = function () {
  if (!_.contains([1, 2, 3], 2)) throw new Error('lodash 2.4 _.contains');
  if (util.getConfig().tradingAdvisor.candleSize !== this.tradingAdvisor.candleSize) throw new Error('getConfig');
  this.addIndicator('channel', 'Channel', {period: 5});
  this.addTulipIndicator('sma', 'sma', {optInTimePeriod: 3});
  this.own = new Channel({period: 3});
  this.checks = 0;
  this.trades = [];
};

strategy.update = function (candle) {
  if (!moment.isMoment(candle.start)) throw new Error('candle.start is not a moment');
  if (candle.start.clone().add(1, 'minute').unix() !== candle.start.unix() + 60) throw new Error('moment arithmetic');
  this.own.update(candle.close);
};

strategy.check = function (candle) {
  var sma = this.tulipIndicators.sma.result.result;
  if (!(sma > 0)) throw new Error('tulip sma missing: ' + sma);
  if (!(this.indicators.channel.high >= this.indicators.channel.low)) throw new Error('custom indicator');
  this.checks++;
  if (this.checks === 1) this.advice({direction: 'long', trigger: {type: 'trailingStop', trailPercentage: 50}});
  if (this.checks === 3) this.advice('short');
  if (this.checks === 5) this.notify('random ' + Math.random());
};

strategy.onTrade = function (trade) {
  if (!moment.isMoment(trade.date)) throw new Error('trade.date is not a moment');
  this.trades.push(trade.action);
};

strategy.end = function () {
  if (this.trades.join() !== 'buy,sell') throw new Error('onTrade saw ' + this.trades.join());
};

module.exports = strategy;
