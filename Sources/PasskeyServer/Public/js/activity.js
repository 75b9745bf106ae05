// The account page's sessions and activity: where the person is signed in
// (with "Sign out everywhere else" and "Sign out" for each other browser) and
// what happened to the account lately. It reads /api/sessions and
// /api/account/activity, and loads again when account.js says the account
// changed (the `account:changed` event).

import { api } from './api.js';
import { describeError, formatDate, setBusy, showMessage, signInPath } from './ui.js';

const sessionList = document.getElementById('sessions');
const sessionsError = document.getElementById('sessions-error');
const signOutOthers = document.getElementById('sign-out-others');
const activityList = document.getElementById('activity');
const activityError = document.getElementById('activity-error');
const moreButton = document.getElementById('activity-more');
const status = document.getElementById('status');

// The words for each kind of event; a kind this page does not know shows as it is.
const eventWords = {
  sign_up: 'Account created',
  sign_in: 'Signed in',
  sign_in_failed: 'A sign-in failed',
  passkey_added: 'Passkey added',
  passkey_renamed: 'Passkey renamed',
  passkey_deleted: 'Passkey deleted',
  display_name_changed: 'Display name changed',
  session_ended: 'Signed out',
  account_disabled: 'Account disabled by the site',
  account_enabled: 'Account enabled by the site',
  sessions_revoked: 'Signed out everywhere by the site',
  account_imported: 'Account moved here',
  verification_code_sent: 'Confirmation code mailed',
  verification_code_capped: 'No confirmation code mailed (too many this hour)',
  email_verified: 'Email address confirmed',
  email_verification_failed: 'A confirmation code was wrong',
  recovery_code_sent: 'Recovery code mailed',
  recovery_code_capped: 'No recovery code mailed (too many this hour)',
  recovery_started: 'Signed in with a recovery code',
  recovery_failed: 'A recovery code was wrong',
  recovery_completed: 'Recovery finished with a new passkey',
  password_sign_in: 'Signed in with password',
  password_sign_in_failed: 'A password sign-in failed',
  password_removed: 'Password removed',
  passkey_upgrade: 'Passkey created automatically',
  oauth_consent_granted: 'App allowed',
  oauth_access_removed: 'App access removed',
};

let passkeyNames = new Map();
let nextPage = null;

function goToSignIn() {
  window.location.replace(signInPath(window.location.pathname));
}

async function call(promise) {
  try {
    return await promise;
  } catch (error) {
    if (error.code === 'unauthenticated') goToSignIn();
    throw error;
  }
}

function passkeyLabel(id) {
  if (!id) return '';
  const name = passkeyNames.get(id);
  return name ? `with “${name}”` : 'with a passkey since deleted';
}

function device(entry) {
  return [entry.userAgent, entry.ip].filter(Boolean).join(' · ') || 'Unknown device';
}

function timeElement(iso) {
  const time = document.createElement('time');
  time.dateTime = iso ?? '';
  time.textContent = formatDate(iso) ?? 'Unknown';
  return time;
}

function renderSessions(sessions) {
  const rows = sessions.map((session) => {
    const item = document.createElement('li');
    item.className = 'session';
    item.dataset.id = session.id;
    const body = document.createElement('div');
    const title = document.createElement('p');
    title.className = 'session-device';
    title.textContent = device(session);
    if (session.current) {
      const badge = document.createElement('span');
      badge.className = 'badge current';
      badge.textContent = 'This browser';
      title.append(' ', badge);
    }
    const meta = document.createElement('p');
    meta.className = 'session-meta muted';
    meta.append('Signed in ', timeElement(session.createdAt));
    const passkey = passkeyLabel(session.passkeyId);
    if (passkey) meta.append(` ${passkey}`);
    meta.append(' · last seen ', timeElement(session.lastSeenAt));
    body.append(title, meta);
    item.append(body);
    if (!session.current) {
      const end = document.createElement('button');
      end.type = 'button';
      end.className = 'button secondary small end-session';
      end.textContent = 'Sign out';
      end.addEventListener('click', () => endSession(item, session));
      item.append(end);
    }
    return item;
  });
  sessionList.replaceChildren(...rows);
  sessionList.setAttribute('aria-busy', 'false');
  const others = sessions.filter((session) => !session.current).length;
  document.getElementById('session-count').textContent = others === 0
    ? 'Only this browser is signed in.'
    : `This browser and ${others === 1 ? '1 other' : `${others} others`}.`;
  signOutOthers.hidden = others === 0;
}

function eventItem(event) {
  const item = document.createElement('li');
  item.className = 'event';
  item.dataset.type = event.type;
  const what = document.createElement('p');
  what.className = 'event-type';
  what.textContent = [eventWords[event.type] ?? event.type, passkeyLabel(event.passkeyId)].filter(Boolean).join(' ');
  const meta = document.createElement('p');
  meta.className = 'event-meta muted';
  meta.append(timeElement(event.at), ` · ${device(event)}`);
  item.append(what, meta);
  return item;
}

async function loadSessions() {
  const { sessions } = await call(api.get('/api/sessions'));
  renderSessions(sessions);
}

async function loadActivity(more = false) {
  const path = more && nextPage
    ? `/api/account/activity?before=${encodeURIComponent(nextPage)}`
    : '/api/account/activity';
  const page = await call(api.get(path));
  const items = page.events.map(eventItem);
  if (more) activityList.append(...items);
  else activityList.replaceChildren(...items);
  activityList.setAttribute('aria-busy', 'false');
  nextPage = page.next;
  moreButton.hidden = !nextPage;
}

async function loadPasskeyNames() {
  const { passkeys } = await call(api.get('/api/passkeys'));
  passkeyNames = new Map(passkeys.map((passkey) => [passkey.id, passkey.name]));
}

async function refresh() {
  try {
    await loadPasskeyNames();
    await Promise.all([loadSessions(), loadActivity()]);
  } catch (error) {
    if (error.code !== 'unauthenticated') showMessage(activityError, describeError(error, 'activity'));
  }
}

async function endSession(item, session) {
  showMessage(sessionsError, '');
  setBusy(item, true);
  try {
    await call(api.delete(`/api/sessions/${encodeURIComponent(session.id)}`));
    showMessage(status, `Signed out ${device(session)}.`);
  } catch (error) {
    setBusy(item, false);
    showMessage(sessionsError, describeError(error, 'sign-out'));
    return;
  }
  await refresh();
  signOutOthers.focus();
}

async function signOutEverywhereElse() {
  showMessage(sessionsError, '');
  setBusy(signOutOthers.parentElement, true);
  try {
    await call(api.delete('/api/sessions'));
    showMessage(status, 'Signed out everywhere else.');
  } catch (error) {
    showMessage(sessionsError, describeError(error, 'sign-out'));
  } finally {
    setBusy(signOutOthers.parentElement, false);
  }
  await refresh();
}

signOutOthers.addEventListener('click', signOutEverywhereElse);
moreButton.addEventListener('click', () => {
  loadActivity(true).catch((error) => showMessage(activityError, describeError(error, 'activity')));
});
// account.js shows the account and loads its passkeys, then says so; it may have done that before
// this module ran.
document.addEventListener('account:changed', refresh);
if (!document.getElementById('account').hidden) refresh();
