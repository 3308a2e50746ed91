// The dashboard shell: sign-in, the live stream, and a hash router over three views.
import { api, session, whenUnauthorized } from './api.js';
import { showAnomalies } from './anomalies.js';
import { showDevice } from './device.js';
import { clear, toast } from './dom.js';
import { showFleet } from './fleet.js';
import { startLive } from './live.js';

/** Live anomaly events for whichever view is showing. */
export const bus = new EventTarget();

const $ = (id) => document.getElementById(id);
let live;
let unmount = () => {};

function setLive(status) {
  $('live').textContent = status;
  $('live').className = `live is-${status}`;
}

function route() {
  unmount();
  const view = clear($('view'));
  const hash = location.hash || '#/';
  const device = /^#\/devices\/(.+)$/.exec(hash);
  for (const link of document.querySelectorAll('#nav a')) {
    link.classList.toggle('active', link.getAttribute('href') === hash);
  }
  if (device) unmount = showDevice(view, decodeURIComponent(device[1]), bus);
  else if (hash === '#/anomalies') unmount = showAnomalies(view, bus);
  else unmount = showFleet(view, bus);
}

function start() {
  $('login').hidden = true;
  $('nav').hidden = false;
  $('logout').hidden = false;
  $('live').hidden = false;
  $('who').textContent = `${session.principal.name} (${session.principal.role})`;
  live = startLive({
    key: session.key,
    onStatus: setLive,
    onEvent: (event) => bus.dispatchEvent(new CustomEvent('anomaly', { detail: event })),
    onResync: () => bus.dispatchEvent(new CustomEvent('resync')),
  });
  window.addEventListener('hashchange', route);
  route();
}

function signOut(message) {
  session.key = null;
  session.principal = null;
  live?.stop();
  unmount();
  unmount = () => {};
  window.removeEventListener('hashchange', route);
  clear($('view'));
  $('nav').hidden = true;
  $('logout').hidden = true;
  $('live').hidden = true;
  $('who').textContent = '';
  $('login').hidden = false;
  $('login-error').textContent = message ?? '';
  $('key').value = '';
  $('key').focus();
}

async function signIn(key) {
  try {
    session.principal = await api('/api/v1/keys/me', { key });
    session.key = key;
    start();
  } catch (error) {
    signOut(error.status === 401 ? 'That key is not valid.' : `Sign-in failed: ${error.message}`);
  }
}

$('login').addEventListener('submit', (e) => {
  e.preventDefault();
  void signIn($('key').value.trim());
});
$('logout').addEventListener('click', () => signOut());
whenUnauthorized(() => {
  signOut('The key stopped working (revoked?). Sign in again.');
  toast('Signed out: the API key was refused', 'error');
});

if (session.key) void signIn(session.key);
else signOut();
