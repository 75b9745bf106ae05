// The consent page of the OpenID Provider: a shell over the client core's consent machine
// (Auth.Consent, js/core-shell.js). The core asks the server what the authorization request
// wants, shows it in the person's language, sends the decision and says where the browser goes next.

import { languages, startCore } from './core-shell.js';

const $ = (id) => document.getElementById(id);

function render(view) {
  if (view.destination) return window.location[view.destination.replace ? 'replace' : 'assign'](view.destination.url);
  $('consent-title').textContent = view.title;
  if (view.lede) {
    const strong = (words, id) => Object.assign(document.createElement('strong'), { id, textContent: words });
    $('consent-lede').replaceChildren(view.lede.beforeClient, strong(view.lede.client, 'client-name'),
      view.lede.beforeUser, strong(view.lede.user, 'consent-username'), view.lede.afterUser);
    $('consent-lede').hidden = false;
  }
  $('consent-scopes').replaceChildren(...(view.scopes ?? []).map(({ scope, words }) => {
    const item = Object.assign(document.createElement('li'), { textContent: words });
    item.dataset.scope = scope;
    return item;
  }));
  $('consent-form').hidden = !view.lede;
  for (const button of $('consent-form').querySelectorAll('button')) button.disabled = !view.canDecide;
  $('status').textContent = view.problem ?? view.progress ?? '';
}

const start = [{ event: 'languages', languages: languages() }, { event: 'load', query: window.location.search.slice(1) }];
const core = await startCore({ machine: 'passkeys_consent_send', render, start });
$('consent-form').addEventListener('submit', (event) => {
  event.preventDefault();
  if (['allow', 'deny'].includes(event.submitter?.value)) core.send({ event: event.submitter.value });
});
