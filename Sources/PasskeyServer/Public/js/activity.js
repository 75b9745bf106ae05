// The account page's sessions, apps and recent activity: a shell over the client core's
// sessions and activity machine (Auth.Security, js/core-shell.js). It turns clicks into core
// events and shows the core's view; every word comes from the core. It loads again when account.js
// says the account changed (the `account:changed` event).

import { languages, startCore } from './core-shell.js';

const $ = (id) => document.getElementById(id);

// An element with its class, children, data attributes and (for aria-busy) whether it is busy.
function element(tag, className, children = [], data = {}, busy = undefined) {
  const made = Object.assign(document.createElement(tag), { className });
  made.append(...children);
  Object.assign(made.dataset, data);
  if (busy !== undefined) made.setAttribute('aria-busy', String(busy));
  return made;
}

function button(className, words, enabled, message, core) {
  const made = Object.assign(element('button', `button small ${className}`, [words]), { type: 'button', disabled: !enabled });
  made.addEventListener('click', () => core.send(message));
  return made;
}

function sessionItem(session, core) {
  const title = element('p', 'session-device', [session.device]);
  if (session.current) title.append(' ', element('span', 'badge current', [session.current]));
  const item = element('li', 'session', [element('div', '', [title, element('p', 'session-meta muted', [session.details])])], { id: session.id }, session.busy);
  if (session.canEnd || (!session.current && session.busy)) {
    item.append(button('secondary end-session', core.text('security.endSession'), session.canEnd, { event: 'endSession', id: session.id }, core));
  }
  return item;
}

function appItem(app, core) {
  const remove = button('quiet-danger remove-access', core.text('security.removeApp'), app.canRemove, { event: 'removeApp', clientId: app.clientId }, core);
  remove.setAttribute('aria-label', app.removeLabel);
  const about = element('div', '', [element('h3', 'app-name', [app.name]), element('p', 'muted', [app.details])]);
  return element('li', 'app', [about, remove], { clientId: app.clientId }, app.busy);
}

const eventItem = (event) => element('li', 'event', [element('p', 'event-type', [event.title]), element('p', 'event-meta muted', [event.details])], { type: event.type });

function show(id, rows, item) {
  if (!rows) return;
  $(id).replaceChildren(...rows.map(item));
  $(id).setAttribute('aria-busy', 'false');
}

function render(view, core) {
  // Signed out: to sign-in; another account signed in from another tab: this page again, for it.
  if (view.signedOut || view.sessionChanged) return view.signedOut ? window.location.replace('/?next=/account') : window.location.reload();
  show('sessions', view.sessions, (session) => sessionItem(session, core));
  show('activity', view.activity, eventItem);
  show('apps', view.apps, (app) => appItem(app, core));
  $('session-count').textContent = view.sessionSummary ?? '';
  $('sign-out-others').hidden = !view.canEndOtherSessions;
  $('activity-more').hidden = !view.canLoadMore;
  $('apps-empty').hidden = view.apps?.length !== 0;
  $('apps-section').hidden = !view.apps;
  for (const part of ['sessions', 'activity', 'apps']) $(`${part}-error`).textContent = view.problemPart === part ? view.problem ?? '' : '';
  if (view.notice) $('status').textContent = view.notice;
}

const utcOffsetMinutes = -new Date().getTimezoneOffset();
const core = await startCore({ machine: 'passkeys_security_send', render, start: [{ event: 'languages', languages: languages(), utcOffsetMinutes }] });
// account.js shows the account and loads its passkeys, then says so; it may have done that before this ran.
// Every request names the account shown (`user`), so a page left open never acts on another one.
const load = () => core.send({ event: 'load', user: $('account').dataset.user });
if (!$('account').hidden) load();
document.addEventListener('account:changed', load);
$('sign-out-others').addEventListener('click', () => core.send({ event: 'endOtherSessions' }));
$('activity-more').addEventListener('click', () => core.send({ event: 'moreActivity' }));
