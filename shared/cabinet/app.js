// The cabinet's page: vanilla JavaScript, no build step. Every text comes
// from the API in the user's language; every value is set as text, never
// as HTML. Docs: docs/cabinet.md.
'use strict';
(function () {
  var tg = (window.Telegram && window.Telegram.WebApp) || null;
  var initData = tg ? tg.initData || '' : '';
  var me = null;
  var T = {};
  var tab = 'subscription';
  var deviceCount = null;
  var platform = null;
  var following = null;

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function button(text, cls, onClick) {
    var b = el('button', 'btn' + (cls ? ' ' + cls : ''), text);
    b.type = 'button';
    b.addEventListener('click', onClick);
    return b;
  }
  function card(title) {
    var c = el('section', 'card');
    if (title) c.appendChild(el('h2', null, title));
    return c;
  }
  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }
  // A press id drawn when a button is drawn: tapping it twice sends the same id.
  function pressId() {
    var a = new Uint8Array(16);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  function api(path, body) {
    var opts = { headers: { Authorization: 'tma ' + initData } };
    if (body !== undefined) {
      opts.method = 'POST';
      opts.headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    var attempt = function (n) {
      return fetch('api/' + path, opts).then(function (r) {
        return r.json().catch(function () { return { ok: false, error: 'bad_answer' }; }).then(function (j) {
          if (r.status === 409 && j.error === 'in_progress' && n < 8) {
            return sleep(600).then(function () { return attempt(n + 1); });
          }
          j.httpStatus = r.status;
          return j;
        });
      }, function () { return { ok: false, error: 'network', message: T['cab-error'] || '…' }; });
    };
    return attempt(0);
  }

  function toast(text) {
    var t = $('toast');
    t.textContent = text;
    t.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { t.hidden = true; }, 3500);
  }

  function theme() {
    var p = (tg && tg.themeParams) || {};
    var style = document.documentElement.style;
    var map = {
      bg_color: '--bg', text_color: '--text', hint_color: '--hint', link_color: '--link',
      button_color: '--button', button_text_color: '--button-text',
      secondary_bg_color: '--card', destructive_text_color: '--danger'
    };
    Object.keys(map).forEach(function (k) {
      if (p[k]) style.setProperty(map[k], p[k]); else style.removeProperty(map[k]);
    });
    document.documentElement.dataset.scheme = (tg && tg.colorScheme) === 'dark' ? 'dark' : 'light';
  }

  function fail(j) {
    $('app').hidden = true;
    var s = $('status');
    s.textContent = '';
    s.appendChild(el('p', 'bad', j.message || j.error || '…'));
    s.hidden = false;
  }

  function load() {
    return api('me').then(function (j) {
      if (!j.ok) { fail(j); return; }
      me = j;
      T = j.texts;
      document.documentElement.lang = j.user.lang;
      if (j.sections.devices) {
        api('devices').then(function (d) { deviceCount = d.ok ? d.devices.length : null; if (tab === 'subscription') render(); });
      }
      $('status').hidden = true;
      $('app').hidden = false;
      render();
    });
  }

  function tabs() {
    var list = [['subscription', 'cab-tab-subscription'], ['connect', 'cab-tab-connect']];
    if (me.sections.devices) list.push(['devices', 'cab-tab-devices']);
    if (me.sections.pay || me.sections.topup) list.push(['pay', 'cab-tab-pay']);
    list.push(['history', 'cab-tab-history'], ['referrals', 'cab-tab-referrals']);
    var nav = $('tabs');
    nav.textContent = '';
    list.forEach(function (t) {
      var b = el('button', t[0] === tab ? 'on' : '', T[t[1]]);
      b.type = 'button';
      b.dataset.tab = t[0];
      b.addEventListener('click', function () { tab = t[0]; $('toast').hidden = true; render(); });
      nav.appendChild(b);
    });
  }

  function render() {
    $('title').textContent = T['cab-title'];
    var l = $('lang');
    l.textContent = me.user.lang === 'ru' ? 'EN' : 'RU';
    tabs();
    var v = $('view');
    v.textContent = '';
    v.dataset.page = tab;
    ({ subscription: viewSubscription, connect: viewConnect, devices: viewDevices, pay: viewPay,
       history: viewHistory, referrals: viewReferrals })[tab](v);
  }

  function viewSubscription(v) {
    var s = me.subscription;
    var c = card();
    c.appendChild(el('div', s.active ? 'ok' : 'hint', s.status));
    if (s.days_left !== null) {
      c.appendChild(el('div', 'big', String(s.days_left)));
      c.appendChild(el('div', 'hint', s.end_text));
    }
    v.appendChild(c);
    if (s.traffic) {
      var tc = card(T['cab-traffic']);
      tc.appendChild(el('div', null, s.traffic.text));
      if (s.traffic.limit > 0) {
        var bar = el('div', 'bar');
        var fill = el('i');
        fill.style.width = Math.min(100, Math.round(100 * s.traffic.used / s.traffic.limit)) + '%';
        bar.appendChild(fill);
        tc.appendChild(bar);
      }
      v.appendChild(tc);
    }
    if (me.sections.devices && deviceCount !== null) {
      var dc = card(T['cab-devices-used']);
      dc.appendChild(el('div', 'big', deviceCount + (s.device_limit ? ' / ' + s.device_limit : '')));
      v.appendChild(dc);
    }
    if (s.trial_offer) {
      var trial = card(T['cab-trial-offer']);
      trial.appendChild(el('div', 'hint', s.trial_offer));
      var id = pressId();
      trial.appendChild(button(T['cab-trial-take'], '', function (e) {
        e.target.disabled = true;
        api('trial', { press: id }).then(function (j) {
          toast(j.ok ? j.text : j.message);
          return load();
        });
      }));
      v.appendChild(trial);
    }
    var b = card(T['cab-balance']);
    b.appendChild(el('div', 'big', me.balance.text));
    v.appendChild(b);
    if (me.support) {
      v.appendChild(button(T['cab-support'], 'ghost', function () { open(me.support); }));
    }
  }

  function open(url) {
    if (tg && tg.openLink) tg.openLink(url); else window.open(url, '_blank');
  }

  function copy(text) {
    var done = function () { toast(T['cab-copied']); };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, done);
    } else {
      done();
    }
  }

  function guessPlatform() {
    var p = tg && tg.platform;
    if (p === 'ios' || p === 'android' || p === 'macos') return p;
    if (p === 'tdesktop') return /Mac/.test(navigator.userAgent) ? 'macos' : /Linux/.test(navigator.userAgent) ? 'linux' : 'windows';
    return /Android/.test(navigator.userAgent) ? 'android' : /iPhone|iPad/.test(navigator.userAgent) ? 'ios' : 'windows';
  }

  function viewConnect(v) {
    api('connect').then(function (j) {
      if (tab !== 'connect') return;
      v.textContent = '';
      if (!j.ok) { v.appendChild(el('p', 'bad', j.message)); return; }
      var c = card(T['cab-link']);
      if (j.link) {
        c.appendChild(el('div', 'link', j.link));
        c.appendChild(button(T['cab-copy'], '', function () { copy(j.link); }));
        var img = el('img', 'qr');
        img.alt = 'QR';
        img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(j.qr);
        c.appendChild(img);
      } else {
        c.appendChild(el('div', 'hint', me.subscription.link_pending ? T['cab-link-pending'] : T['cab-no-subscription']));
      }
      v.appendChild(c);
      var g = card(T['cab-guide']);
      var chips = el('div', 'platforms');
      platform = platform || guessPlatform();
      var apps = el('div');
      var show = function () {
        Array.prototype.forEach.call(chips.children, function (b) { b.className = 'chip' + (b.dataset.id === platform ? ' on' : ''); });
        apps.textContent = '';
        j.guide.filter(function (p) { return p.id === platform; }).forEach(function (p) {
          p.apps.forEach(function (a) {
            var row = el('div', 'app');
            row.appendChild(el('div', null, a.name));
            var act = el('div', 'actions');
            if (a.download) act.appendChild(button(T['cab-download'], 'small ghost', function () { open(a.download); }));
            if (a.add) act.appendChild(button(T['cab-add'], 'small', function () { window.location.href = a.add; }));
            row.appendChild(act);
            apps.appendChild(row);
          });
        });
      };
      j.guide.forEach(function (p) {
        var b = el('button', 'chip', p.name);
        b.type = 'button';
        b.dataset.id = p.id;
        b.addEventListener('click', function () { platform = p.id; show(); });
        chips.appendChild(b);
      });
      g.appendChild(chips);
      g.appendChild(apps);
      show();
      v.appendChild(g);
    });
  }

  function deviceList(v, j) {
    var c = card(T['cab-tab-devices'] + (j.limit ? ' (' + j.devices.length + ' / ' + j.limit + ')' : ''));
    if (!j.devices.length) c.appendChild(el('div', 'hint', T['devices-none']));
    var ul = el('ul', 'list');
    j.devices.forEach(function (d) {
      var li = el('li', 'row device');
      var info = el('div', 'grow');
      info.appendChild(el('div', null, d.name));
      info.appendChild(el('div', 'hint', [d.platform, d.added].filter(Boolean).join(' · ')));
      li.appendChild(info);
      var id = pressId();
      li.appendChild(button(T['cab-remove'], 'small danger', function (e) {
        var b = e.target;
        var go = function (yes) {
          if (!yes) return;
          b.disabled = true;
          api('devices/remove', { press: id, device: d.id }).then(function (r) {
            if (r.ok) {
              toast(r.text);
              deviceCount = r.devices.length;
              v.textContent = '';
              deviceList(v, { devices: r.devices, limit: j.limit });
            } else {
              toast(r.message);
              viewDevices(v);
            }
          });
        };
        if (tg && tg.showConfirm) tg.showConfirm(T['cab-remove'] + ': ' + d.name + '?', go); else go(window.confirm(d.name));
      }));
      ul.appendChild(li);
    });
    c.appendChild(ul);
    v.appendChild(c);
  }

  function viewDevices(v) {
    api('devices').then(function (j) {
      if (tab !== 'devices') return;
      v.textContent = '';
      if (!j.ok) { v.appendChild(el('p', 'bad', j.message)); return; }
      deviceCount = j.devices.length;
      deviceList(v, j);
    });
  }

  // Follows an order until it is paid, then shows the new end date.
  function follow(order, box) {
    following = order;
    var tries = 0;
    var tick = function () {
      if (following !== order) return;
      api('orders/' + order).then(function (j) {
        if (following !== order) return;
        if (j.ok && j.status === 'paid') {
          following = null;
          box.className = 'card';
          box.textContent = '';
          box.appendChild(el('h2', 'ok', T['cab-paid']));
          if (j.status_text) box.appendChild(el('div', 'paid-status', j.status_text));
          if (j.balance) box.appendChild(el('div', 'hint', T['cab-balance'] + ': ' + j.balance));
          api('me').then(function (m) { if (m.ok) { me = m; T = m.texts; } });
          return;
        }
        if (j.ok && j.status !== 'pending') {
          following = null;
          box.appendChild(el('div', 'bad', j.status));
          return;
        }
        tries += 1;
        if (tries < 400) setTimeout(tick, 1500);
      });
    };
    tick();
  }

  // Starts a payment; resolves to whether it started (a refusal is kept
  // for its press, so the button then draws a new press id).
  function startPay(body, box) {
    return api('pay', body).then(function (j) {
      if (!j.ok) { toast(j.message); return false; }
      box.dataset.order = j.order || '';
      box.hidden = false;
      box.className = 'card waiting';
      box.textContent = '';
      box.appendChild(el('h2', null, T['cab-waiting']));
      if (j.kind === 'link' || j.kind === 'external') open(j.url);
      if (j.kind === 'invoice' && tg && tg.openInvoice) tg.openInvoice(j.url, function () {});
      if (j.kind === 'external') return true;
      follow(j.order, box);
      return true;
    });
  }

  function methods(list, body, box) {
    var m = el('div', 'methods');
    list.forEach(function (method) {
      var id = pressId();
      var b = button(method.label, 'ghost', function () {
        var req = Object.assign({ press: id, provider: method.provider }, body());
        if (req.topup === null) { toast(T['cab-topup-amount']); return; }
        startPay(req, box).then(function (started) { if (!started) id = pressId(); });
      });
      b.dataset.provider = method.provider;
      m.appendChild(b);
    });
    return m;
  }

  function viewPay(v) {
    api('plans').then(function (j) {
      if (tab !== 'pay') return;
      v.textContent = '';
      if (!j.ok) { v.appendChild(el('p', 'bad', j.message)); return; }
      var box = el('section', 'card', null);
      box.id = 'payment';
      box.hidden = true;
      v.appendChild(box);
      if (j.discount) v.appendChild(el('div', 'card hint', j.discount));
      if (j.plans.length) {
        var c = card(T['cab-plans']);
        j.plans.forEach(function (p) {
          var row = el('div', 'plan');
          row.dataset.months = p.months;
          row.appendChild(el('div', null, p.label));
          row.appendChild(methods(p.methods, function () { return { plan: p.months }; }, box));
          c.appendChild(row);
        });
        v.appendChild(c);
      }
      if (j.topup) {
        var t = card(T['cab-topup']);
        t.appendChild(el('div', 'hint', T['cab-balance'] + ': ' + j.balance));
        var input = el('input');
        input.type = 'number';
        input.min = j.topup.min;
        input.max = j.topup.max;
        input.placeholder = T['cab-topup-amount'];
        input.id = 'topup-amount';
        var presets = el('div', 'platforms');
        j.topup.presets.forEach(function (p) {
          var chip = el('button', 'chip', p.text);
          chip.type = 'button';
          chip.addEventListener('click', function () { input.value = p.rub; });
          presets.appendChild(chip);
        });
        t.appendChild(presets);
        t.appendChild(input);
        t.appendChild(methods(j.topup.methods, function () {
          var n = parseInt(input.value, 10);
          return { topup: n >= j.topup.min && n <= j.topup.max ? n : null };
        }, box));
        v.appendChild(t);
      }
      var pc = card(T['cab-promo']);
      var code = el('input');
      code.type = 'text';
      code.id = 'promo-code';
      code.placeholder = T['cab-promo-placeholder'];
      pc.appendChild(code);
      var promoPress = pressId();
      pc.appendChild(button(T['cab-apply'], '', function () {
        api('promo', { press: promoPress, code: code.value }).then(function (r) {
          toast(r.ok ? r.text : r.message);
          promoPress = pressId();
          if (r.ok) load();
        });
      }));
      v.appendChild(pc);
    });
  }

  function viewHistory(v) {
    var c = card(T['cab-tab-history']);
    var ul = el('ul', 'list');
    c.appendChild(ul);
    v.appendChild(c);
    var page = function (cursor) {
      api('history' + (cursor ? '?cursor=' + encodeURIComponent(cursor) : '')).then(function (j) {
        if (!j.ok) { c.appendChild(el('p', 'bad', j.message)); return; }
        if (!cursor && !j.rows.length) ul.appendChild(el('li', 'hint', T['history-empty']));
        j.rows.forEach(function (r) { ul.appendChild(el('li', null, r)); });
        if (j.next) {
          var more = button(T['cab-more'], 'ghost', function () { more.remove(); page(j.next); });
          more.id = 'more';
          c.appendChild(more);
        }
      });
    };
    page(null);
  }

  function viewReferrals(v) {
    api('referrals').then(function (j) {
      if (tab !== 'referrals') return;
      v.textContent = '';
      if (!j.ok) { v.appendChild(el('p', 'bad', j.message)); return; }
      var c = card(T['cab-tab-referrals']);
      if (j.link) {
        c.appendChild(el('div', 'link', j.link));
        c.appendChild(button(T['cab-copy'], 'ghost', function () { copy(j.link); }));
      }
      if (j.share) {
        c.appendChild(button(T['cab-share'], '', function () {
          if (tg && tg.openTelegramLink) tg.openTelegramLink(j.share); else open(j.share);
        }));
      }
      v.appendChild(c);
      var s = card();
      j.lines.forEach(function (line) { s.appendChild(el('div', null, line)); });
      v.appendChild(s);
    });
  }

  function start() {
    theme();
    if (tg) {
      if (tg.onEvent) tg.onEvent('themeChanged', theme);
      if (tg.ready) tg.ready();
      if (tg.expand) tg.expand();
    }
    $('lang').addEventListener('click', function () {
      api('language', { lang: me.user.lang === 'ru' ? 'en' : 'ru' }).then(function (j) {
        if (j.ok) load(); else toast(j.message);
      });
    });
    if (!initData) { fail({ error: 'no initData' }); return; }
    load();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();
