// The account page's "Apps" section: the applications this person allowed to
// sign them in, each with "Remove access" (which also ends its tokens).

import { api } from './api.js';
import { describeError, formatDate, showMessage } from './ui.js';

const section = document.getElementById('apps-section');
const list = document.getElementById('apps');
const empty = document.getElementById('apps-empty');
const error = document.getElementById('apps-error');

function render(apps) {
  list.replaceChildren();
  empty.hidden = apps.length > 0;
  for (const app of apps) {
    const item = document.createElement('li');
    item.className = 'app';
    item.dataset.clientId = app.clientId;
    const name = document.createElement('h3');
    name.className = 'app-name';
    name.textContent = app.name;
    const meta = document.createElement('p');
    meta.className = 'muted';
    meta.textContent = `Allowed ${formatDate(app.grantedAt) ?? ''}: ${app.scopes.join(', ')}`;
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'button quiet-danger small remove-access';
    remove.textContent = 'Remove access';
    remove.setAttribute('aria-label', `Remove access for ${app.name}`);
    remove.addEventListener('click', async () => {
      remove.disabled = true;
      try {
        await api.delete(`/api/oidc/apps/${encodeURIComponent(app.clientId)}`);
        await load();
      } catch (failure) {
        remove.disabled = false;
        showMessage(error, describeError(failure, 'remove-access'));
      }
    });
    item.append(name, meta, remove);
    list.append(item);
  }
}

async function load() {
  try {
    const answer = await api.get('/api/oidc/apps');
    showMessage(error, '');
    render(answer.apps);
    section.hidden = false;
  } catch (failure) {
    if (failure.code !== 'unauthenticated') showMessage(error, describeError(failure, 'apps'));
  }
}

load();
