// The account page's passkeys, the account itself, its email confirmation, recovery session,
// passkey upgrade and password (account.html), as a shell over the client core (js/core-shell.js):
// the core decides and words everything, this file shows its view and passes the person's intents
// on. The sessions and activity block hears of changes through 'account:changed' (activity.js).

import { markReady, startCore } from './core-shell.js';

const $ = (id) => document.getElementById(id);
const status = $('status');
const list = $('passkeys');
const dialog = $('confirm-dialog');
const nameField = $('display-name');

let core = null;
let account = null; // the view's account, as last shown
let shown = { passkeys: null, user: null, confirmed: null, notice: null, userId: null, status: '' };
let action = null; // the person's last intent: { error, focus } say where its problem and the focus go
let leaving = false;
const next = new URLSearchParams(window.location.search).get('next');
// The verification mail's link, /account#verify=CODE&proof=…: confirmed once the page can; a code
// without its proof (a link not from the mail) only fills the field in.
const fragment = new URLSearchParams(window.location.hash.slice(1));
let linkCode = fragment.get('verify');
if (linkCode) history.replaceState(null, '', window.location.pathname + window.location.search);

const itemFor = (id) => [...list.children].find((item) => item.dataset.id === id);
// This file's parts of the page: the sections not marked "security" (activity.js has those).
const own = (selector) => document.querySelectorAll(`#account > section:not(.security) ${selector}`);

function render(view, shell) {
  if (view.screen === 'signedOut') return leave(view, shell);
  if (view.screen !== 'signedIn') return showStatus(view.progress ?? view.problem ?? '');
  account = view.account;
  for (const id of ['account', 'sign-out']) $(id).hidden = false;
  for (const [id, words] of [['greeting', account.greeting], ['username', account.username]]) $(id).textContent = words;
  const user = `${account.username}\n${account.displayName}`;
  // The activity list changes with the address confirmed and with a notice shown (a code sent), not
  // with a notice going away (as when signing out begins).
  const [confirmed, notice] = [!account.confirmEmail, view.notice ?? shown.notice];
  const passkeys = account.passkeys && JSON.stringify(account.passkeys.map(({ busy, ...row }) => row));
  if (user !== shown.user) nameField.value = account.displayName;
  if (passkeys && passkeys !== shown.passkeys) renderPasskeys(shell);
  $('account').dataset.user = account.userId; // the account activity.js acts for
  // Told once the passkeys are in: on another account (shown.userId), a new name, other passkeys, or the above.
  if (passkeys && (account.userId !== shown.userId || user !== shown.user || passkeys !== shown.passkeys
    || confirmed !== shown.confirmed || notice !== shown.notice)) document.dispatchEvent(new CustomEvent('account:changed'));
  shown = { ...shown, user, confirmed, notice, userId: passkeys ? account.userId : shown.userId, passkeys: passkeys ?? shown.passkeys };
  $('passkey-count').textContent = account.passkeyCount ?? '';
  // Sent here by forward-auth to confirm the address (`?next=`): on to the app once it is.
  if (account.continue && next !== null) return window.location.assign(view.destination);
  for (const [id, part] of [['upgrade-heading', 'heading'], ['upgrade-text', 'text'], ['create-passkey', 'button']]) {
    $(id).textContent = account.createPasskey?.[part] ?? '';
  }
  for (const [id, offered] of [['upgrade', account.createPasskey], ['verify-email', account.confirmEmail], ['password-panel', account.removePassword]]) {
    $(id).hidden = !offered;
  }
  list.setAttribute('aria-busy', String(!account.passkeys));
  for (const row of account.passkeys ?? []) itemFor(row.id)?.setAttribute('aria-busy', String(row.busy));
  for (const button of [$('sign-out'), ...own('button')]) button.disabled = !view.canStart;
  for (const element of own('.error')) element.textContent = '';
  const problemAt = action?.error?.() ?? status;
  if (view.problem && problemAt !== status) problemAt.textContent = view.problem;
  showStatus(view.notice ?? view.progress ?? (problemAt === status ? view.problem : null) ?? '');
  if (view.canStart && account.passkeys) {
    markReady();
    if (linkCode && account.confirmEmail && !fragment.get('proof')) $('verify-code').value = linkCode;
    else if (linkCode && account.confirmEmail) intent({ error: () => $('verify-error') }, { event: 'confirmEmail', code: linkCode, proof: fragment.get('proof') });
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
  if (account === null || view.problemCode === 'unauthenticated') window.location.replace('/?next=/account' + encodeURIComponent(window.location.search));
  else window.location.assign('/');
}

function renderPasskeys(shell) {
  const template = $('passkey-template');
  list.replaceChildren(...account.passkeys.map((row, index) => {
    const item = template.content.firstElementChild.cloneNode(true);
    shell.applyTexts(item);
    item.dataset.id = row.id;
    const part = (selector, properties) => Object.assign(item.querySelector(selector), properties);
    part('.passkey-name', { textContent: row.name });
    part('.rename-form label', { htmlFor: `passkey-name-${index}` });
    part('.rename-form input', { id: `passkey-name-${index}` });
    // The provider says where the passkey lives; not worth repeating when it is the name too.
    part('.provider', { textContent: row.provider === row.name ? '' : row.provider });
    part('.sync', { textContent: row.backup }).classList.add(row.synced ? 'synced' : 'device');
    part('.created', { textContent: row.created, dateTime: row.createdAt });
    part('.last-used', { textContent: row.lastUsed, dateTime: row.lastUsedAt ?? '' });
    for (const label of item.querySelectorAll('.passkey-label')) label.textContent = row.name;
    const form = item.querySelector('.rename-form');
    const rowAction = (focus) => ({ error: () => itemFor(row.id)?.querySelector('.passkey-error'), focus });
    item.querySelector('.rename').addEventListener('click', () => renaming(item, true, row));
    item.querySelector('.cancel').addEventListener('click', () => renaming(item, false));
    form.addEventListener('keydown', (event) => { if (event.key === 'Escape') renaming(item, false); });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const name = form.querySelector('input').value.trim();
      if (name === row.name) return renaming(item, false);
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

// The rename form takes the place of the name and the buttons while it is open.
function renaming(item, open, row) {
  const input = item.querySelector('.rename-form input');
  item.querySelector('.rename-form').hidden = !open;
  for (const part of ['.passkey-name', '.passkey-actions']) item.querySelector(part).hidden = open;
  item.querySelector('.passkey-error').textContent = '';
  if (!open) return item.querySelector('.rename').focus();
  input.value = row.name;
  input.focus();
  input.select();
}

function confirm(title, text, confirmLabel) {
  for (const [id, words] of [['confirm-title', title], ['confirm-text', text], ['confirm-button', confirmLabel]]) $(id).textContent = words;
  dialog.returnValue = '';
  dialog.showModal();
  $('confirm-cancel').focus();
  return new Promise((resolve) => dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true }));
}

function intent(nextAction, message) {
  action = core ? nextAction : action;
  core?.send(message);
}

// What each control asks of the core: [id, its DOM event, where a problem shows, where the focus goes
// after, the message (none when there is nothing to ask)].
for (const [id, type, error, focus, message] of [
  ['profile-form', 'submit', 'profile-error', 'display-name',
    () => account && nameField.value.trim() !== account.displayName && { event: 'changeDisplayName', name: nameField.value.trim() }],
  ['add-passkey', 'click', 'add-error', 'add-passkey', () => ({ event: 'addPasskey' })],
  ['sign-out', 'click', null, 'sign-out', () => ({ event: 'signOut' })],
  ['create-passkey', 'click', 'upgrade-error', 'add-passkey', () => ({ event: 'addPasskey' })],
  ['verify-form', 'submit', 'verify-error', 'verify-code', () => ({ event: 'confirmEmail', code: $('verify-code').value })],
  ['verify-resend', 'click', 'verify-error', 'verify-resend', () => ({ event: 'resendEmailCode' })],
  ['remove-password', 'click', 'password-error', 'add-passkey', () => ({ event: 'removePassword' })],
  ['delete-account', 'click', 'delete-account-error', 'delete-account', async () => core && account
    && ((await confirm(core.text('confirm.deleteAccount.title'), account.confirmDelete, core.text('confirm.deleteAccount.button')))
      ? { event: 'deleteAccount' } : $('delete-account').focus())],
]) {
  $(id).addEventListener(type, async (event) => {
    event.preventDefault();
    const made = await message();
    if (made) intent({ error: error && (() => $(error)), focus: focus && (() => $(focus)) }, made);
  });
}
// A new #verify= link, or the page shown again from the back-forward cache: read afresh.
for (const type of ['hashchange', 'pageshow']) window.addEventListener(type, (event) => (type === 'hashchange' || event.persisted) && window.location.reload());

core = await startCore({ render });
