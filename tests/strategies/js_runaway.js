// A strategy over its own native SMA (computed by the engine mid-call, so it runs in a worker process)
// that loops forever once `runaway` is set: the sandbox tests' endless loop, harmless by default.
var SMA = require('./indicators/SMA.js');

module.exports = {
  init: function () {
    this.sma = new SMA(3);
  },
  update: function (candle) {
    this.sma.update(candle.close);
  },
  check: function (candle) {
    if (this.settings.runaway) for (;;) {}
    this.advice(this.sma.result < candle.close ? 'long' : 'short');
  }
};
