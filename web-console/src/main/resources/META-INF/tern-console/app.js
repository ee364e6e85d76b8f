// The console's shell: who is logged in, the navigation, and a router over location.hash.
// Each page is a function (main, context) that renders into main and returns what stops it.
// A page's hash may carry one argument after its own, e.g. #/service/shop: context.param.

import { renderAlerts } from './alerts.js';
import { renderProviders } from './providers.js';
import { ApiError, get, logIn, logOut } from './api.js';
import { renderAudit } from './audit.js';
import { renderChaos } from './chaos.js';
import { renderOverview } from './overview.js';
import { renderPolicy } from './policy.js';
import { renderService } from './service.js';
import { renderTimeline } from './timeline.js';
import { renderWhatIf } from './what-if.js';
import { renderWorld } from './world.js';

const PAGES = [
  { hash: '#/overview', title: 'Overview', render: renderOverview },
  { hash: '#/world', title: 'World', render: renderWorld },
  { hash: '#/service', title: 'Service', render: renderService },
  { hash: '#/policy', title: 'Policy editor', render: renderPolicy },
  { hash: '#/what-if', title: 'What-if', render: renderWhatIf },
  { hash: '#/timeline', title: 'Timeline', render: renderTimeline },
  { hash: '#/audit', title: 'Audit', render: renderAudit },
  { hash: '#/chaos', title: 'Chaos', render: renderChaos },
  { hash: '#/alerts', title: 'Alerts', render: renderAlerts },
  { hash: '#/providers', title: 'Providers', render: renderProviders },
];

const main = document.getElementById('main');
const errorBox = document.getElementById('error');
const whoBox = document.getElementById('who');
const logoutButton = document.getElementById('logout');

let me = null;
let stopPage = () => {};

function showError(message) {
  errorBox.textContent = message;
  errorBox.hidden = false;
}

function clearError() {
  errorBox.textContent = '';
  errorBox.hidden = true;
}

/** Shows an error in words; a lost session sends the user back to the login page. */
function fail(error) {
  if (error instanceof ApiError && error.status === 401) {
    me = null;
    showError(`Logged out: ${error.message}`);
    go('#/login');
    return;
  }
  showError(error.message || String(error));
}

function go(hash) {
  if (location.hash === hash) {
    route();
  } else {
    location.hash = hash;
  }
}

function renderNav(current) {
  const nav = document.getElementById('nav');
  nav.replaceChildren();
  if (!me) {
    return;
  }
  for (const page of PAGES) {
    const link = document.createElement('a');
    link.href = page.hash;
    link.textContent = page.title;
    if (!page.render) {
      link.classList.add('soon');
      link.title = 'Coming soon';
    }
    if (page.hash === current) {
      link.setAttribute('aria-current', 'page');
    }
    nav.append(link);
  }
}

function renderWho() {
  whoBox.textContent = me ? `${me.name} · ${me.role}` : '';
  logoutButton.hidden = !me;
}

function renderLogin() {
  main.replaceChildren();
  const form = document.createElement('form');
  form.className = 'login';
  form.innerHTML = `
    <h1>Log in to Tern</h1>
    <label>Username <input name="username" autocomplete="username" required></label>
    <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
    <p class="form-error" role="alert" hidden></p>
    <button type="submit">Log in</button>`;
  const formError = form.querySelector('.form-error');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    formError.hidden = true;
    const data = new FormData(form);
    try {
      await logIn(data.get('username'), data.get('password'));
      me = await get('/api/v1/whoami');
      clearError();
      go('#/overview');
    } catch (e) {
      formError.textContent = e.message;
      formError.hidden = false;
    }
  });
  main.append(form);
  form.querySelector('input').focus();
}

function renderComingSoon(page) {
  main.replaceChildren();
  const heading = document.createElement('h1');
  heading.textContent = page.title;
  const note = document.createElement('p');
  note.className = 'muted';
  note.textContent = 'Coming soon.';
  main.append(heading, note);
  return () => {};
}

function route() {
  stopPage();
  stopPage = () => {};
  const hash = location.hash || '#/overview';
  renderWho();
  if (!me || hash === '#/login') {
    renderNav(null);
    if (me) {
      go('#/overview');
      return;
    }
    renderLogin();
    return;
  }
  const page = PAGES.find((p) => hash === p.hash || hash.startsWith(`${p.hash}/`));
  if (!page) {
    go('#/overview');
    return;
  }
  const param = hash.length > page.hash.length ? decodeURIComponent(hash.slice(page.hash.length + 1)) : null;
  renderNav(page.hash);
  clearError();
  stopPage = page.render ? page.render(main, { me, fail, param, go }) : renderComingSoon(page);
}

logoutButton.addEventListener('click', async () => {
  try {
    await logOut();
  } catch (e) {
    showError(e.message);
  }
  me = null;
  go('#/login');
});

window.addEventListener('hashchange', route);

async function start() {
  try {
    me = await get('/api/v1/whoami');
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) {
      showError(e.message);
    }
    me = null;
  }
  route();
}

start();
