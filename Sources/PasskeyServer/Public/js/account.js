// The account page's passkeys, the account itself, its email confirmation, recovery session,
// passkey upgrade and password (account.html), as a shell over the client core (js/core-shell.js):
// the core decides and words everything, this file shows its view and passes the person's intents
// on. The sessions and activity block hears of changes through 'account:changed' (activity.js).

import { markReady, startCore } from './core-shell.js';
import { afterSignInPath, signInPath } from './ui.js';

const $ = (id) => document.getElementById(id);
const status = $('status');
const list = $('passkeys');
const dialog = $('confirm-dialog');
const nameField = $('display-name');

let core = null;
let account = null; // the view's account, as last shown
let shown = { passkeys: null, user: null, status: '' };
let action = null; // the person's last intent: { error, focus } say where its problem and the focus go
let leaving = false;
// The verification mail's link, /account#verify=CODE: confirmed once the page can.
let linkCode = new URLSearchParams(window.location.hash.slice(1)).get('verify');
if (linkCode) history.replaceState(null, '', window.location.pathname + window.location.search);

const itemFor = (id) => [...list.children].find((item) => item.dataset.id === id);
const ownButtons = () => document.querySelectorAll('#sign-out, #add-passkey, #delete-account, #profile-form button, #passkeys button, '
  + '#create-passkey, #verify-form button, #remove-password');

function render(view, shell) {
  if (view.screen === 'signedOut') return leave(view, shell);
  if (view.screen !== 'signedIn') return showStatus(view.progress ?? view.problem ?? '');
  account = view.account;
  $('account').hidden = false;
  $('sign-out').hidden = false;
  $('greeting').textContent = account.greeting;
  $('username').textContent = account.username;
  const user = `${account.username}\n${account.displayName}`;
  const passkeys = account.passkeys && JSON.stringify(account.passkeys.map(({ busy, ...row }) => row));
  if (user !== shown.user) nameField.value = account.displayName;
  if (passkeys && passkeys !== shown.passkeys) renderPasskeys(shell);
  if (passkeys && (user !== shown.user || passkeys !== shown.passkeys)) document.dispatchEvent(new CustomEvent('account:changed'));
  shown = { ...shown, user, passkeys: passkeys ?? shown.passkeys };
  $('passkey-count').textContent = account.passkeyCount ?? '';
  // Sent here by forward-auth to confirm the address (`?next=`): on to the app once it is.
  if (account.continue && new URLSearchParams(window.location.search).has('next')) return window.location.assign(afterSignInPath());
  $('upgrade').hidden = !account.createPasskey;
  for (const [id, part] of [['upgrade-heading', 'heading'], ['upgrade-text', 'text'], ['create-passkey', 'button']]) {
    $(id).textContent = account.createPasskey?.[part] ?? '';
  }
  $('verify-email').hidden = !account.confirmEmail;
  $('password-panel').hidden = !account.removePassword;
  list.setAttribute('aria-busy', String(!account.passkeys));
  for (const row of account.passkeys ?? []) itemFor(row.id)?.setAttribute('aria-busy', String(row.busy));
  for (const button of ownButtons()) button.disabled = !view.canStart;

  for (const element of document.querySelectorAll('#add-error, #profile-error, #delete-account-error, #passkeys .passkey-error, '
    + '#upgrade-error, #verify-error, #password-error')) {
    element.textContent = '';
  }
  const problemAt = action?.error?.() ?? status;
  if (view.problem && problemAt !== status) problemAt.textContent = view.problem;
  showStatus(view.notice ?? view.progress ?? (problemAt === status ? view.problem : null) ?? '');
  if (view.canStart && account.passkeys) {
    markReady();
    if (linkCode && account.confirmEmail) intent({ error: () => $('verify-error') }, { event: 'confirmEmail', code: linkCode });
    linkCode = null;
    if (!document.activeElement || document.activeElement === document.body) action?.focus?.()?.focus();
  }
}

// The page's status line is shared with its other blocks: it is cleared only of what this file wrote.
function showStatus(text) {
  if (text === shown.status) return;
  if (text || status.textContent === shown.status) status.textContent = text;
  shown.status = text;
}

// Signed out: the sign-in page, back here after signing in when the session was missing or ended.
async function leave(view, shell) {
  if (leaving) return;
  if (view.problem && view.problemCode !== 'unauthenticated') return showStatus(view.problem);
  leaving = true;
  await shell.settleSignals();
  if (account === null || view.problemCode === 'unauthenticated') window.location.replace(signInPath(window.location.pathname));
  else window.location.assign('/');
}

function renderPasskeys(shell) {
  const template = $('passkey-template');
  list.replaceChildren(...account.passkeys.map((row, index) => {
    const item = template.content.firstElementChild.cloneNode(true);
    shell.applyTexts(item);
    item.dataset.id = row.id;
    item.querySelector('.passkey-name').textContent = row.name;
    item.querySelector('.rename-form label').htmlFor = `passkey-name-${index}`;
    item.querySelector('.rename-form input').id = `passkey-name-${index}`;
    // The provider says where the passkey lives; not worth repeating when it is the name too.
    item.querySelector('.provider').textContent = row.provider === row.name ? '' : row.provider;
    const badge = item.querySelector('.sync');
    badge.textContent = row.backup;
    badge.classList.add(row.synced ? 'synced' : 'device');
    Object.assign(item.querySelector('.created'), { textContent: row.created, dateTime: row.createdAt });
    Object.assign(item.querySelector('.last-used'), { textContent: row.lastUsed, dateTime: row.lastUsedAt ?? '' });
    for (const label of item.querySelectorAll('.passkey-label')) label.textContent = row.name;
    const form = item.querySelector('.rename-form');
    const rowAction = (focus) => ({ error: () => itemFor(row.id)?.querySelector('.passkey-error'), focus });
    item.querySelector('.rename').addEventListener('click', () => openRename(item, row));
    item.querySelector('.cancel').addEventListener('click', () => closeRename(item));
    form.addEventListener('keydown', (event) => { if (event.key === 'Escape') closeRename(item); });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const name = form.querySelector('input').value.trim();
      if (name === row.name) return closeRename(item);
      intent(rowAction(() => itemFor(row.id)?.querySelector('.rename')), { event: 'renamePasskey', id: row.id, name });
    });
    item.querySelector('.delete').addEventListener('click', async () => {
      const confirmed = await confirm(row.confirmDelete, shell.text('confirm.deletePasskey.text'), shell.text('confirm.deletePasskey.button'));
      if (confirmed) intent(rowAction(() => $('add-passkey')), { event: 'deletePasskey', id: row.id });
      else item.querySelector('.delete').focus();
    });
    return item;
  }));
}

function openRename(item, row) {
  const input = item.querySelector('.rename-form input');
  input.value = row.name;
  item.querySelector('.passkey-name').hidden = true;
  item.querySelector('.passkey-actions').hidden = true;
  item.querySelector('.rename-form').hidden = false;
  input.focus();
  input.select();
}

function closeRename(item) {
  item.querySelector('.rename-form').hidden = true;
  item.querySelector('.passkey-name').hidden = false;
  item.querySelector('.passkey-actions').hidden = false;
  item.querySelector('.passkey-error').textContent = '';
  item.querySelector('.rename').focus();
}

function confirm(title, text, confirmLabel) {
  $('confirm-title').textContent = title;
  $('confirm-text').textContent = text;
  $('confirm-button').textContent = confirmLabel;
  dialog.returnValue = '';
  dialog.showModal();
  $('confirm-cancel').focus();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true });
  });
}

function intent(nextAction, message) {
  if (!core) return;
  action = nextAction;
  core.send(message);
}

$('profile-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const name = nameField.value.trim();
  if (account && name !== account.displayName) {
    intent({ error: () => $('profile-error'), focus: () => nameField }, { event: 'changeDisplayName', name });
  }
});
$('add-passkey').addEventListener('click', () => {
  intent({ error: () => $('add-error'), focus: () => $('add-passkey') }, { event: 'addPasskey' });
});
$('sign-out').addEventListener('click', () => intent({ focus: () => $('sign-out') }, { event: 'signOut' }));
$('delete-account').addEventListener('click', async () => {
  if (!core || !account) return;
  if (await confirm(core.text('confirm.deleteAccount.title'), account.confirmDelete, core.text('confirm.deleteAccount.button'))) {
    intent({ error: () => $('delete-account-error'), focus: () => $('delete-account') }, { event: 'deleteAccount' });
  } else {
    $('delete-account').focus();
  }
});
$('create-passkey').addEventListener('click', () => {
  intent({ error: () => $('upgrade-error'), focus: () => $('add-passkey') }, { event: 'addPasskey' });
});
$('verify-form').addEventListener('submit', (event) => {
  event.preventDefault();
  intent({ error: () => $('verify-error'), focus: () => $('verify-code') }, { event: 'confirmEmail', code: $('verify-code').value });
});
$('verify-resend').addEventListener('click', () => intent({ error: () => $('verify-error') }, { event: 'resendEmailCode' }));
$('remove-password').addEventListener('click', () => {
  intent({ error: () => $('password-error'), focus: () => $('add-passkey') }, { event: 'removePassword' });
});
window.addEventListener('hashchange', () => window.location.reload());

window.addEventListener('pageshow', (event) => {
  if (event.persisted) window.location.reload();
});

core = await startCore({ render });
