// The account page's sessions, apps and recent activity: a shell over the client core's
// sessions and activity machine (Auth.Security in core.wasm). It performs the HTTP requests the core names,
// turns clicks into core events and shows the core's view; every word comes from the core. It
// loads again when account.js says the account changed (the `account:changed` event).

import { openCore, performHttp } from './core-module.js';
import { signInPath } from './ui.js';

const $ = (id) => document.getElementById(id);
const status = $('status');
let send = null;

function row(tag, className, children) {
  const element = document.createElement(tag);
  element.className = className;
  element.append(...children);
  return element;
}

function text(tag, className, words) {
  const element = document.createElement(tag);
  element.className = className;
  element.textContent = words;
  return element;
}

function sessionItem(session, label) {
  const title = text('p', 'session-device', session.device);
  if (session.current) title.append(' ', text('span', 'badge current', session.current));
  const body = row('div', '', [title, text('p', 'session-meta muted', session.details)]);
  const item = row('li', 'session', [body]);
  item.dataset.id = session.id;
  item.setAttribute('aria-busy', String(session.busy));
  if (session.canEnd || (!session.current && session.busy)) {
    const end = text('button', 'button secondary small end-session', label);
    end.type = 'button';
    end.disabled = !session.canEnd;
    end.addEventListener('click', () => dispatch({ event: 'endSession', id: session.id }));
    item.append(end);
  }
  return item;
}

function eventItem(event) {
  const item = row('li', 'event', [text('p', 'event-type', event.title), text('p', 'event-meta muted', event.details)]);
  item.dataset.type = event.type;
  return item;
}

function appItem(app, label) {
  const remove = text('button', 'button quiet-danger small remove-access', label);
  remove.type = 'button';
  remove.disabled = !app.canRemove;
  remove.setAttribute('aria-label', app.removeLabel);
  remove.addEventListener('click', () => dispatch({ event: 'removeApp', clientId: app.clientId }));
  const body = row('div', '', [text('h3', 'app-name', app.name), text('p', 'muted', app.details)]);
  const item = row('li', 'app', [body, remove]);
  item.dataset.clientId = app.clientId;
  item.setAttribute('aria-busy', String(app.busy));
  return item;
}

function render(view) {
  if (view.signedOut) {
    window.location.replace(signInPath(window.location.pathname));
    return;
  }
  $('sessions-heading').textContent = view.labels.sessionsHeading;
  $('activity-heading').textContent = view.labels.activityHeading;
  $('sign-out-others').textContent = view.labels.endOtherSessions;
  $('activity-more').textContent = view.labels.moreActivity;
  if (view.sessions) {
    $('sessions').replaceChildren(...view.sessions.map((session) => sessionItem(session, view.labels.endSession)));
    $('sessions').setAttribute('aria-busy', 'false');
  }
  $('session-count').textContent = view.sessionSummary ?? '';
  $('sign-out-others').hidden = !view.canEndOtherSessions;
  if (view.activity) {
    $('activity').replaceChildren(...view.activity.map(eventItem));
    $('activity').setAttribute('aria-busy', 'false');
  }
  $('activity-more').hidden = !view.canLoadMore;
  $('apps-heading').textContent = view.labels.appsHeading;
  $('apps-intro').textContent = view.labels.appsIntro;
  $('apps-empty').textContent = view.labels.noApps;
  if (view.apps) {
    $('apps').replaceChildren(...view.apps.map((app) => appItem(app, view.labels.removeApp)));
    $('apps-empty').hidden = view.apps.length > 0;
    $('apps-section').hidden = false;
  }
  $('activity-error').textContent = view.problem ?? '';
  if (view.notice) status.textContent = view.notice;
}

// One message to the core: show its view, perform its effects and send their answers back.
function dispatch(message) {
  const answer = send(message);
  if (answer.error) {
    console.error('the core refused a message', message, answer.error);
    $('activity-error').textContent = answer.error.message;
    return;
  }
  if (answer.view) render(answer.view);
  for (const effect of answer.effects) {
    if (effect.effect === 'http') performHttp(effect).then(dispatch);
    else console.error('an effect this page does not perform', effect);
  }
}

async function start() {
  send = await openCore('passkeys_security_send');
  dispatch({ event: 'languages', languages: navigator.languages, utcOffsetMinutes: -new Date().getTimezoneOffset() });
  // account.js shows the account and loads its passkeys, then says so; it may have done that
  // before this module ran.
  if (!$('account').hidden) dispatch({ event: 'load' });
  $('sign-out-others').addEventListener('click', () => dispatch({ event: 'endOtherSessions' }));
  $('activity-more').addEventListener('click', () => dispatch({ event: 'moreActivity' }));
  document.addEventListener('account:changed', () => dispatch({ event: 'load' }));
}

start().catch((error) => {
  console.error('the sessions and activity could not start', error);
  $('activity-error').textContent = String(error);
});
