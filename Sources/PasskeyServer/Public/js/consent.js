// The consent page of the OpenID Provider: names the application and what it
// will see, and sends the person's decision. The server checks the request
// again and answers where the browser goes next (the application, with a code
// or access_denied).

import { api } from './api.js';
import { describeError, showMessage, signInPath } from './ui.js';

const scopeWords = {
  openid: 'An identifier for your account (not your email)',
  profile: 'Your username and display name',
  email: 'Your email address',
  offline_access: 'Access while you are away: it stays signed in until you remove it',
};

const form = document.getElementById('consent-form');
const status = document.getElementById('status');
const request = window.location.search.slice(1);

async function show() {
  let details;
  try {
    details = await api.get(`/api/oidc/consent?${request}`);
  } catch (error) {
    if (error.code === 'unauthenticated') {
      window.location.replace(signInPath(`/oauth2/authorize?${request}`));
      return;
    }
    showMessage(status, describeError(error, 'consent'));
    return;
  }
  if (details.redirectTo) {
    window.location.replace(details.redirectTo);
    return;
  }
  document.getElementById('client-name').textContent = details.client.name;
  document.getElementById('consent-username').textContent = details.username;
  document.getElementById('consent-title').textContent = `Allow ${details.client.name}?`;
  const list = document.getElementById('consent-scopes');
  for (const scope of details.scopes) {
    const item = document.createElement('li');
    item.textContent = scopeWords[scope] ?? scope;
    item.dataset.scope = scope;
    list.append(item);
  }
  document.getElementById('consent-lede').hidden = false;
  form.hidden = false;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const decision = event.submitter?.value;
  if (decision !== 'allow' && decision !== 'deny') return;
  for (const button of form.querySelectorAll('button')) button.disabled = true;
  try {
    const answer = await api.post('/api/oidc/consent', { request, decision });
    window.location.assign(answer.redirectTo);
  } catch (error) {
    for (const button of form.querySelectorAll('button')) button.disabled = false;
    showMessage(status, describeError(error, 'consent'));
  }
});

show();
