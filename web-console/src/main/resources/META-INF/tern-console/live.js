// Live pages: subscribe to the event stream and reload what each event type changes. The stream's
// first event, hello, loads everything (again after each reconnect), so no change can fall between
// a load and the subscription; events within COALESCE_MS share one round of requests.

import { get } from './api.js';

const COALESCE_MS = 50;

/**
 * Watches the event stream. refreshes maps an event type to the names of the sources it changes
 * (hello must name them all); reload(names) fetches and renders them. The badge, if given, says
 * live, connecting… or reconnecting…. Returns the function that stops watching.
 */
export function watch(refreshes, reload, { badge, fail }) {
  let stopped = false;
  let pending = new Set();
  let timer = null;

  function schedule(names) {
    names.forEach((name) => pending.add(name));
    if (timer === null) {
      timer = setTimeout(async () => {
        timer = null;
        const due = [...pending];
        pending = new Set();
        try {
          await reload(due);
        } catch (e) {
          if (!stopped) {
            fail(e);
          }
        }
      }, COALESCE_MS);
    }
  }

  function say(state, words) {
    if (badge) {
      badge.dataset.state = state;
      badge.textContent = words;
    }
  }

  say('connecting', 'connecting…');
  const events = new EventSource('/api/v1/events');
  for (const [type, names] of Object.entries(refreshes)) {
    events.addEventListener(type, () => schedule(names));
  }
  events.addEventListener('open', () => say('live', 'live'));
  events.addEventListener('error', () => {
    say('reconnecting', 'reconnecting…');
    // The stream gives no status; a whoami tells a lost session from a lost connection.
    get('/api/v1/whoami').catch((e) => { if (!stopped) fail(e); });
  });

  return () => {
    stopped = true;
    events.close();
    clearTimeout(timer);
  };
}
