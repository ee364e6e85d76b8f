// Small DOM builders every page shares. Text always goes in through textContent, never as HTML,
// so a name from the API can never become markup.

export function element(tag, className, text) {
  const e = document.createElement(tag);
  if (className) {
    e.className = className;
  }
  if (text !== undefined && text !== null) {
    e.textContent = text;
  }
  return e;
}

/** HEALTHY, UNHEALTHY or UNKNOWN in colour and in words. */
export function healthBadge(health) {
  const value = health || 'UNKNOWN';
  return element('span', `health health-${value.toLowerCase()}`, value);
}

/** A link to another page of the console, e.g. link('#/service/shop', 'shop'). */
export function link(hash, text, className) {
  const a = element('a', className, text);
  a.href = hash;
  return a;
}

/** A weight out of 1000 as a percentage: 1000 → "100 %", 333 → "33.3 %". */
export function percent(weight) {
  return `${(weight / 10).toFixed(weight % 10 ? 1 : 0)} %`;
}

/** An instant as local time with seconds, or an em dash when there is none. */
export function time(instant) {
  return instant ? new Date(instant).toLocaleString(undefined, { hour12: false }) : '—';
}
