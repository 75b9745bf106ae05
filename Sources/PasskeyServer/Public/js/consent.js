// The consent page of the OpenID Provider: a shell over the client core's consent machine
// (Auth.Consent in core.wasm). The core asks the server what the authorization request wants,
// shows it in the person's language, sends the decision and says where the browser goes next.

import { openCore, performHttp } from './core-module.js';

const $ = (id) => document.getElementById(id);
let send = null;

function render(view) {
  if (view.destination) {
    if (view.destination.replace) window.location.replace(view.destination.url);
    else window.location.assign(view.destination.url);
    return;
  }
  document.documentElement.lang = view.lang;
  document.title = view.pageTitle;
  $('consent-title').textContent = view.title;
  if (view.lede) {
    const strong = (words, id) => Object.assign(document.createElement('strong'), { id, textContent: words });
    $('consent-lede').replaceChildren(view.lede.beforeClient, strong(view.lede.client, 'client-name'),
      view.lede.beforeUser, strong(view.lede.user, 'consent-username'), view.lede.afterUser);
    $('consent-lede').hidden = false;
  }
  if (view.scopes) {
    $('consent-scopes').replaceChildren(...view.scopes.map(({ scope, words }) => {
      const item = Object.assign(document.createElement('li'), { textContent: words });
      item.dataset.scope = scope;
      return item;
    }));
  }
  $('consent-allow').textContent = view.allow;
  $('consent-deny').textContent = view.deny;
  $('consent-hint').textContent = view.hint;
  $('consent-form').hidden = !view.lede;
  for (const button of $('consent-form').querySelectorAll('button')) button.disabled = !view.canDecide;
  $('status').textContent = view.problem ?? view.progress ?? '';
}

function dispatch(message) {
  const answer = send(message);
  if (answer.error) {
    console.error('the core refused a message', message, answer.error);
    $('status').textContent = answer.error.message;
    return;
  }
  for (const effect of answer.effects) {
    if (effect.effect === 'http') performHttp(effect).then(dispatch);
    else console.error('an effect this page does not perform', effect);
  }
  if (answer.view) render(answer.view);
}

async function start() {
  send = await openCore('passkeys_consent_send');
  dispatch({ event: 'languages', languages: [...(navigator.languages ?? [navigator.language])] });
  dispatch({ event: 'load', query: window.location.search.slice(1) });
  $('consent-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const decision = event.submitter?.value;
    if (decision === 'allow' || decision === 'deny') dispatch({ event: decision });
  });
}

start().catch((error) => {
  console.error('the consent page could not start', error);
  $('status').textContent = String(error);
});
