// This project's own runtime for Gekko strategies written in JavaScript, evaluated once per run in a
// QuickJS context that has no file system, network or process. Python hands over the module sources
// at boot and, on every candle, the candle and the values of the native and tulip indicators (both
// computed by the engine's Python code), so timed calls never call back into Python. Only a strategy
// that builds native indicators itself (`new SMA(...)`, or updates an indicator it added) runs
// "bridged": its indicator calls reach Python synchronously (in a worker process, timed from outside).
// Emitted advice goes back as JSON.
var __gekko_boot = (function (G) {
  'use strict';
  var SETUP;  // {file, settings, config, debug, seed, files, natives, tulips, bridgeUpdates}
  var libraries = {lodash: G.__gekko_lib_lodash, moment: G.__gekko_lib_moment};  // their sources, set by the host
  delete G.__gekko_lib_lodash;
  delete G.__gekko_lib_moment;
  var modules = {};
  var loading = [];
  var out = [];  // what the current call emitted: ['a', advice], ['n', content], ['i'|'t', name, type, params]
  var bridged = false;
  var noop = function () {};

  function seedRandom(seed) {  // mulberry32: Math.random is deterministic per run
    Math.random = function () {
      seed = (seed + 0x6D2B79F5) >>> 0;
      var t = seed;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function callerLine() {
    var frames = String(new Error().stack).split('\n');
    for (var i = 1; i < frames.length; i++) {
      var m = /<input>:(\d+)/.exec(frames[i]);
      if (m && frames[i].indexOf('__gekko_require') < 0) return +m[1];
    }
    return 0;
  }

  function commonjs(file, source) {
    var module = {exports: {}};
    // the wrapper keeps the file's first line on line 1, so error lines are the file's own
    var fn = (0, eval)('(function (exports, require, module, __filename, __dirname) {' + source + '\n})');
    loading.push(file);
    try {
      fn.call(module.exports, module.exports, makeRequire(file), module, file, '');
    } finally {
      loading.pop();
    }
    return module.exports;
  }

  var log = {debug: noop, info: noop, warn: noop, error: noop, write: noop, remote: noop};
  var util = {getConfig: function () { return SETUP.config; }};

  function normalize(from, spec) {  // a relative path against the requiring file's folder
    var parts = from.split('/').slice(0, -1);
    spec.replace(/\.js$/, '').split('/').forEach(function (p) {
      if (p === '..') parts.pop(); else if (p !== '.' && p) parts.push(p);
    });
    return parts.join('/');
  }

  function resolve(from, spec) {
    if (spec === 'lodash' || spec === 'moment') return spec;
    if (spec.charAt(0) !== '.') return '';
    if (/core\/(log|util)(\.js)?$/.test(spec)) return 'core:' + /(log|util)(\.js)?$/.exec(spec)[1];
    var target = normalize(from, spec);
    var m = /^indicators\/([^\/]+)$/.exec(target);
    if (!m) return '';
    if (SETUP.files[target + '.js'] !== undefined) return 'file:' + target + '.js';
    return SETUP.natives[m[1]] ? 'native:' + m[1] : '';
  }

  function makeRequire(from) {
    return function __gekko_require(spec) {
      var key = resolve(from, String(spec));
      if (!key) {
        var line = callerLine();
        var where = loading.length ? loading[loading.length - 1] : from;
        throw new Error('require(\'' + spec + '\') in ' + where + (line ? ' line ' + line : '') +
          ': module not available to strategies (available: lodash, moment, ../core/log, ../core/util, ' +
          'Gekko\'s native indicators and the files in indicators/)');
      }
      if (modules[key] === undefined) modules[key] = load(key);
      return modules[key];
    };
  }

  function load(key) {
    if (key === 'lodash' || key === 'moment') return commonjs('node_modules/' + key, libraries[key]);
    if (key === 'core:log') return log;
    if (key === 'core:util') return util;
    if (key.indexOf('native:') === 0) {
      bridged = true;
      return bridgedClass(key.slice(7));
    }
    return commonjs(key.slice(5), SETUP.files[key.slice(5)]);
  }

  function moment() {
    return modules.moment || (modules.moment = load('moment'));
  }

  // --- native indicators: values computed by the engine's Python code ---
  function literal(text) {  // an array of numbers written by Python (NaN and Infinity included)
    return (0, eval)('(' + text + ')');
  }

  function setFields(ind, fields, values, at) {
    for (var i = 0; i < fields.length; i++) {
      var path = fields[i], v = values[at + i], dot = path.indexOf('.');
      if (dot < 0) { ind[path] = v; continue; }
      var head = path.slice(0, dot);
      (ind[head] || (ind[head] = {}))[path.slice(dot + 1)] = v;
    }
    return at + fields.length;
  }

  // Built by the strategy itself (`new SMA(9)`): each update is a synchronous call into Python.
  function bridgedClass(type) {
    var spec = SETUP.natives[type];
    function Indicator(params) {
      this.input = spec[0];
      this._id = __py_native_new(type, JSON.stringify(params === undefined ? null : params));
      if (this._id < 0) throw new Error(__py_last_error());
      setFields(this, spec[1], literal(__py_native_values(this._id)), 0);
    }
    Indicator.prototype.update = function (x) {
      var json = this.input === 'candle'
        ? __py_native_update_candle(this._id, +x.open, +x.high, +x.low, +x.close, +x.vwp, +x.volume, +x.trades)
        : __py_native_update(this._id, +x);
      if (!json) throw new Error(__py_last_error());
      setFields(this, spec[1], literal(json), 0);
    };
    return Indicator;
  }

  // Added with addIndicator: Python updates it before every candle and hands over its values.
  function Managed(name, type) {
    this.input = SETUP.natives[type][0];
    this._name = name;
    this._type = type;
  }
  Managed.prototype.update = function (x) {
    if (!bridged) throw new Error('indicator ' + this._name + ' is updated by the strategy itself');
    var json = this.input === 'candle'
      ? __py_managed_update_candle(this._name, +x.open, +x.high, +x.low, +x.close, +x.vwp, +x.volume, +x.trades)
      : __py_managed_update(this._name, +x);
    if (!json) throw new Error(__py_last_error());
    setFields(this, SETUP.natives[this._type][1], literal(json), 0);
  };

  // --- the candle: `start` (a moment) is only built when read ---
  function Candle(s, o, h, l, c, vwp, volume, trades) {
    this._s = s; this.open = o; this.high = h; this.low = l; this.close = c;
    this.vwp = vwp; this.volume = volume; this.trades = trades;
  }
  Object.defineProperty(Candle.prototype, 'start', {
    enumerable: true,
    get: function () { return this._m || (this._m = moment().unix(this._s).utc()); },
    set: function (v) { this._m = v; }
  });
  Object.defineProperty(Candle.prototype, 'toJSON', {value: function () {
    return {start: this.start, open: this.open, high: this.high, low: this.low, close: this.close,
      vwp: this.vwp, volume: this.volume, trades: this.trades};
  }});

  // --- the strategy base ---
  var managed = [];
  var tulips = [];
  var tulipIndicators = {};
  var strategy;
  var base = {};
  base.addIndicator = function (name, type, params) {
    if (this.setup) throw new Error('indicators can only be added in init (addIndicator ' + name + ')');
    var key = resolve(SETUP.file, './indicators/' + type + '.js');
    if (key.indexOf('file:') === 0) {
      var Cls = modules[key] || (modules[key] = load(key));
      return this.indicators[name] = new Cls(params);
    }
    if (!key) throw new Error('unknown indicator ' + type + ' (addIndicator ' + name + ')');
    out.push(['i', name, type, params === undefined ? null : params]);
    var ind = new Managed(name, type);
    managed.push(ind);
    return this.indicators[name] = ind;
  };
  base.addTulipIndicator = function (name, type, params) {
    if (this.setup) throw new Error('tulip indicators can only be added in init (addTulipIndicator ' + name + ')');
    var outputs = SETUP.tulips[type];
    if (!outputs) throw new Error('unknown tulip indicator ' + type + ' (addTulipIndicator ' + name + ')');
    out.push(['t', name, type, params === undefined ? null : params]);
    tulips.push({name: name, outputs: outputs});
    tulipIndicators[name] = {result: NaN};
  };
  base.addTalibIndicator = function (name, type) {
    throw new Error('talib indicators are not supported (addTalibIndicator ' + name + ', ' + type + '): ' +
      'use addTulipIndicator or a native indicator');
  };
  base.advice = function (advice) {
    if (advice) out.push(['a', advice]);
  };
  base.notify = function (content) { out.push(['n', content]); };

  function emitted() {
    if (wanted) throw new Error(CANDLES_WANTED);
    if (!out.length) return '';
    var s = JSON.stringify(out);
    out = [];
    return s;
  }

  G.__gekko_init = function () {
    strategy.init();
    strategy.requiredHistory = SETUP.config.tradingAdvisor.historySize;
    if (!SETUP.debug || !strategy.log) strategy.log = noop;
    strategy.setup = true;
    for (var name in strategy.indicators) {
      if (!(strategy.indicators[name] instanceof Managed)) others.push(strategy.indicators[name]);
    }
    G.__gekko_update = compileUpdate();
    return emitted();
  };

  // The values of the managed native indicators in registration order, as after their update.
  G.__gekko_natives = function () {
    var at = 0;
    for (var i = 0; i < managed.length; i++) at = setFields(managed[i], SETUP.natives[managed[i]._type][1], arguments, at);
  };

  var others = [];  // indicators run in JavaScript, in registration order

  // Assignments of the managed native indicators' fields and the tulip outputs from `value(n)`, the
  // n-th value after the candle's eight fields, as code written for this strategy (QuickJS builds an
  // `arguments` or rest array on every call; named parameters and direct stores cost nothing).
  function assignments(value) {
    var body = [], n = 0;
    managed.forEach(function (ind, i) {
      SETUP.natives[ind._type][1].forEach(function (path) {
        var parts = path.split('.');
        for (var p = 0; p < parts.length - 1; p++) {
          parts.slice(0, p + 1).reduce(function (o, k) { return o[k] || (o[k] = {}); }, ind);
        }
        body.push('M' + i + '.' + path + ' = ' + value(n++) + ';');
      });
    });
    tulips.forEach(function (t) {
      var fields = t.outputs.map(function (name) {
        var v = value(n++);
        return JSON.stringify(name) + ': ' + v + ' === null ? undefined : ' + v;
      });
      body.push('T[' + JSON.stringify(t.name) + '].result = {' + fields.join(', ') + '};');
    });
    var locals = managed.map(function (ind, i) { return 'M' + i + ' = M[' + i + ']'; });
    return {body: body.join('\n'), count: n, locals: locals.length ? 'var ' + locals.join(', ') + ';\n' : ''};
  }

  // One strategy candle up to update(): the candle's fields, then the indicator values.
  function compileUpdate() {
    var a = assignments(function (n) { return 'v' + n; }), params = ['s', 'o', 'h', 'l', 'c', 'vwp', 'volume', 'trades'];
    for (var n = 0; n < a.count; n++) params.push('v' + n);
    var source = '(function (M, T, tick, take) {' + a.locals + 'return function (' + params.join(', ') + ') {\n' + a.body +
      '\ntick(s, o, h, l, c, vwp, volume, trades); return take(); }; })';
    return (0, eval)(source)(managed, tulipIndicators, tick, take);
  }

  // Backtests: every candle's row (its eight fields, then the indicator values) arrives up front in
  // chunks; __gekko_run then runs candles until one emits something, without a call per candle.
  // A strategy whose update and check take no candle (and that has no indicator of its own to feed)
  // is handed no candles when `blind` asks for that: its rows hold the indicator values only. Should it
  // read one after all (`this.candle`), the run ends with CANDLES_WANTED, however the strategy handles
  // the throw, and the host runs the backtest again with the candles.
  var rows = [], width = 8, setRow, lean = false, wanted = false, CANDLES_WANTED = '__gekko_candles_wanted__';
  G.__gekko_series = function (chunk, blind) {
    lean = !!blind && !others.length && !tulips.length && reach(strategy.update) !== SEES &&
      reach(strategy.check) !== SEES && !(SETUP.debug && reach(strategy.log) === SEES);
    var skip = lean ? 0 : 8;
    var a = assignments(function (n) { return 'D[at + ' + (skip + n) + ']'; });
    width = skip + a.count;
    setRow = (0, eval)('(function (M, T, D) {' + a.locals + 'return function (at) {\n' + a.body + '\n}; })')(managed, tulipIndicators, rows);
    var names = [];
    for (var i = 0; i < chunk; i++) names.push('a' + i);
    G.__gekko_push = (0, eval)('(function (D) { return function (' + names.join(', ') + ') { D.push(' + names.join(', ') + '); }; })')(rows);
    return !lean;
  };

  var phase = G.__gekko_phase = {call: ''};  // which call of the strategy a run is in (for errors)

  function take() {  // what the current candle emitted so far (JSON), or ''
    return out.length ? emitted() : '';
  }

  // Runs candles from..to-1 and answers, one per line, the last candle run, then for every candle that
  // emitted something its index, what its update emitted and what its check emitted (JSON, 0 for
  // nothing); `first` stops at the first such candle. (Lines of text rather than one JSON document:
  // the host keeps them as strings until the pipeline reaches the candle.)
  G.__gekko_run = function (from, to, checkFrom, first) {
    // numbers arrive as doubles: as array indexes QuickJS would turn each one into a property name
    from |= 0; to |= 0; checkFrom |= 0;
    var found = [], tell = G.__py_phase;  // in a worker process: tells the watchdog the call (2 update, 3 check)
    for (var k = from; k < to; k++) {
      var at = k * width;
      setRow(at);
      phase.call = 'update';
      if (tell) tell(2);
      src = lean ? null : rows;  // the candle's fields are read where they lie, and only if it is built
      from0 = at;
      step();
      var u = out.length ? emitted() : '', c = '';
      if (k >= checkFrom) {
        phase.call = 'check';
        if (tell) tell(3);
        c = check();
      }
      if (wanted) throw new Error(CANDLES_WANTED);
      if (u || c) {
        found.push(k, u || '0', c || '0');
        if (first) return k + '\n' + found.join('\n');
      }
    }
    return found.length ? (to - 1) + '\n' + found.join('\n') : '' + (to - 1);
  };

  // The current candle (`strategy.candle`, an accessor) is only built when something can see it:
  // building one costs more than a whole MACD check. A strategy function whose body is empty is not
  // called, and one that declares no parameter (and names neither `arguments` nor `eval`) is called
  // without the candle; the others get it as before.
  // The current candle's eight fields are src[from0] .. src[from0 + 7]: a backtest's row where it
  // lies (copying eight values a candle cost more than most checks), or `one` for a single candle.
  var one = [0, 0, 0, 0, 0, 0, 0, 0], src = one, from0 = 0, built = true, candle;
  function currentCandle() {
    if (!built) {
      if (src === null) {
        wanted = true;
        throw new Error(CANDLES_WANTED);
      }
      var f = src, b = from0;
      candle = new Candle(f[b], f[b + 1], f[b + 2], f[b + 3], f[b + 4], f[b + 5], f[b + 6], f[b + 7]);
      built = true;
    }
    return candle;
  }
  function setCandle(v) {
    candle = v;
    built = true;
  }

  var unbound = new WeakMap();  // the strategy's methods as bound at boot -> its own functions
  var EMPTY = 0, BLIND = 1, SEES = 2;
  function uncommented(text) { return text.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, ''); }
  function reach(fn) {  // EMPTY, BLIND or SEES: what a function can make of the arguments it is called with
    var src = Function.prototype.toString.call(unbound.get(fn) || fn);
    var m = /^[^(]*\(([^)]*)\)\s*\{([\s\S]*)\}$/.exec(src);
    if (!m || src.indexOf('[native code]') >= 0) return SEES;
    var params = uncommented(m[1]), body = uncommented(m[2]);
    if (!/\S/.test(body) && /^[\s\w$,]*$/.test(params)) return EMPTY;
    return /\S/.test(params) || /\b(arguments|eval)\b/.test(body) ? SEES : BLIND;
  }
  // per method: the function last seen there and its reach (one object each: a name looked up per
  // call would cost more than the call)
  var updating = {fn: null, reach: SEES}, logging = {fn: null, reach: SEES}, checking = {fn: null, reach: SEES};
  function hand(slot, fn) {  // a method of the strategy called with the current candle, as far as it can see it
    if (slot.fn !== fn) {
      slot.reach = reach(fn);
      slot.fn = fn;
    }
    if (slot.reach === SEES) fn.call(strategy, currentCandle());
    else if (slot.reach === BLIND) fn.call(strategy);
  }

  function tick(s, o, h, l, c, vwp, volume, trades) {  // one candle handed over by itself
    one[0] = s; one[1] = o; one[2] = h; one[3] = l; one[4] = c; one[5] = vwp; one[6] = volume; one[7] = trades;
    src = one;
    from0 = 0;
    step();
  }

  function step() {  // the current candle (src, from0) up to and including the strategy's update
    built = false;
    strategy.age++;
    if (tulips.length) strategy.tulipIndicators = tulipIndicators;
    for (var i = 0; i < others.length; i++) {
      var ind = others[i];
      if (ind.input === 'price') ind.update(src[from0 + 4]);
      else if (ind.input === 'candle') ind.update(currentCandle());
    }
    var update = strategy.update;
    if (update !== updating.fn || updating.reach !== EMPTY) hand(updating, update);  // no call for no update
    strategy.processedTicks++;
  }

  var check = G.__gekko_check = function () {
    var logs = strategy.log;
    if (logs !== logging.fn || logging.reach !== EMPTY) hand(logging, logs);
    hand(checking, strategy.check);
    return emitted();
  };

  G.__gekko_trade = function (json) {
    var trade = JSON.parse(json);
    if (typeof trade.date === 'number') trade.date = moment().unix(trade.date).utc();
    strategy.onTrade(trade);
    return emitted();
  };

  G.__gekko_end = function () {
    strategy.end();
    return emitted();
  };

  // Boot: evaluate the strategy file (its top-level requires run now); answers whether it is bridged.
  return function (setupJson) {
    SETUP = JSON.parse(setupJson);
    seedRandom(SETUP.seed >>> 0);
    G.global = G;
    G.console = {log: noop, info: noop, warn: noop, error: noop, debug: noop, trace: noop};
    var def = commonjs(SETUP.file, SETUP.files[SETUP.file]);
    if (!def || (typeof def !== 'object' && typeof def !== 'function')) throw new Error(SETUP.file + ' exports no strategy');
    var proto = Object.create(base);
    for (var k in def) proto[k] = def[k];
    if (typeof proto.init !== 'function') throw new Error('No init function in this strategy found.');
    if (typeof proto.check !== 'function') throw new Error('No check function in this strategy found.');
    strategy = Object.create(proto);
    strategy.age = 0;
    strategy.processedTicks = 0;
    strategy.setup = false;
    strategy.settings = SETUP.settings;
    strategy.tradingAdvisor = SETUP.config.tradingAdvisor;
    strategy.priceValue = 'close';
    strategy.indicators = {};
    for (var f in strategy) {
      if (typeof strategy[f] !== 'function') continue;
      var own = strategy[f];
      strategy[f] = own.bind(strategy);
      unbound.set(strategy[f], own);
    }
    Object.defineProperty(strategy, 'candle', {enumerable: true, configurable: true, get: currentCandle, set: setCandle});
    if (!strategy.update) strategy.update = noop;
    if (!strategy.end) strategy.end = noop;
    G.__gekko_hears_trades = !!strategy.onTrade;
    G.__gekko_updates_added = false;  // whether it updates indicators it added (they then need Python)
    if (!strategy.onTrade) strategy.onTrade = noop;
    // native classes handed out, or indicators the strategy updates itself: those need Python mid-call
    var reached = {}, queue = [SETUP.file];
    reached[SETUP.file] = true;
    while (queue.length) {
      var current = queue.shift(), src = SETUP.files[current], re = /require\s*\(\s*['"]([^'"]+)['"]\s*\)/g, m;
      if (/\.indicators(\.\w+|\[[^\]]+\])\.update\s*\(/.test(src)) bridged = G.__gekko_updates_added = true;
      while ((m = re.exec(src))) if (resolve(current, m[1]).indexOf('native:') === 0) bridged = true;
      for (var file in SETUP.files) {  // indicator files this one names (require or addIndicator)
        var stem = file.replace(/^indicators\//, '').replace(/\.js$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        if (!reached[file] && new RegExp('[\'"/]' + stem + '(\\.js)?[\'"]').test(src)) {
          reached[file] = true;
          queue.push(file);
        }
      }
    }
    return bridged;
  };
})(globalThis);
