// Planetarium's optional script (the pages are complete without it; CSP: script-src 'self').
// 1. Times in the reader's own time zone: a post's time reads "09:05 EST" where the planet says
//    "15:05 CET"; the planet's own time stays in its title (shown on hover).
// 2. j / k move to the next / previous post, as on Planet Venus; not while typing in a field.
(function () {
  'use strict';
  var root = document.documentElement;
  var locale = root.getAttribute('data-locale') || root.lang || undefined;
  var planetZone = root.getAttribute('data-timezone');

  function readerZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (e) {
      return null;
    }
  }

  function localTimes() {
    var zone = readerZone();
    if (!zone || !planetZone || zone === planetZone) return;
    var time = new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit', timeZoneName: 'short' });
    var dayTime = new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' });
    var full = new Intl.DateTimeFormat(locale, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' });
    var dayKey = function (ms, timeZone) {
      return new Intl.DateTimeFormat('en-CA', { timeZone: timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
    };
    var times = document.querySelectorAll('.entry-meta time[datetime], .result time[datetime]');
    for (var i = 0; i < times.length; i++) {
      var el = times[i];
      var ms = Date.parse(el.getAttribute('datetime'));
      if (isNaN(ms)) continue;
      if (!el.title) el.title = el.textContent;
      if (el.closest('.result')) {
        el.textContent = full.format(ms);
      } else {
        // Under the planet's day heading: name the reader's day when it is another one.
        el.textContent = dayKey(ms, zone) === dayKey(ms, planetZone) ? time.format(ms) : dayTime.format(ms);
      }
      el.setAttribute('data-local', '');
    }
  }

  function posts() {
    return Array.prototype.slice.call(document.querySelectorAll('article.entry, li.result'));
  }

  /** The post the reader is at: the one holding focus, else the first whose top is on screen or below. */
  function currentIndex(list) {
    var active = document.activeElement;
    for (var i = 0; i < list.length; i++) if (list[i] === active || list[i].contains(active)) return i;
    for (var j = 0; j < list.length; j++) if (list[j].getBoundingClientRect().top >= -1) return j - 0.5;
    return list.length - 0.5;
  }

  function move(step) {
    var list = posts();
    if (!list.length) return false;
    var at = currentIndex(list);
    var next = step > 0 ? Math.floor(at) + 1 : Math.ceil(at) - 1;
    if (next < 0 || next >= list.length) return false;
    var target = list[next];
    if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: 'start' });
    return true;
  }

  function typing(target) {
    return target && target.closest && target.closest('input, textarea, select, [contenteditable], [contenteditable="true"]');
  }

  document.addEventListener('keydown', function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (event.key !== 'j' && event.key !== 'k') return;
    if (move(event.key === 'j' ? 1 : -1)) event.preventDefault();
  });

  function start() {
    localTimes();
    var keys = document.querySelector('.site-footer .keys');
    if (keys && posts().length) keys.hidden = false;
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
