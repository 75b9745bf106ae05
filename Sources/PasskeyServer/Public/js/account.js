// The account page: who is signed in, their passkeys, and the account itself.

import { api } from './api.js';
import { createCredential, signalAllAcceptedCredentials, signalCurrentUserDetails } from './webauthn.js';
import { describeError, formatDate, restoreFocus, setBusy, showMessage, signInPath } from './ui.js';

const status = document.getElementById('status');
const main = document.getElementById('main');
const list = document.getElementById('passkeys');
const template = document.getElementById('passkey-template');
const profileForm = document.getElementById('profile-form');
const displayNameField = document.getElementById('display-name');
const addButton = document.getElementById('add-passkey');
const dialog = document.getElementById('confirm-dialog');

let user = null;

// Other modules of the page (activity.js) load again when the account's passkeys or profile change.
function announce(name) {
  document.dispatchEvent(new CustomEvent(name));
}
let rpId = null;
let passkeys = [];

function goToSignIn() {
  window.location.replace(signInPath(window.location.pathname));
}

// Any call may find the session gone (expired, or signed out in another tab).
async function call(promise) {
  try {
    return await promise;
  } catch (error) {
    if (error.code === 'unauthenticated') goToSignIn();
    throw error;
  }
}

function providerName(passkey) {
  if (passkey.provider) return passkey.provider;
  const transports = passkey.transports ?? [];
  if (transports.some((transport) => ['usb', 'nfc', 'ble'].includes(transport))) return 'Security key';
  return 'Passkey';
}

function showUser() {
  document.getElementById('greeting').textContent = `Hello, ${user.displayName || user.username}`;
  document.getElementById('username').textContent = user.username;
  displayNameField.value = user.displayName ?? '';
}

function renderPasskeys() {
  const rows = passkeys.map((passkey, index) => {
    const item = template.content.firstElementChild.cloneNode(true);
    item.dataset.id = passkey.id;
    const inputId = `passkey-name-${index}`;
    item.querySelector('.passkey-name').textContent = passkey.name;
    item.querySelector('.rename-form label').htmlFor = inputId;
    item.querySelector('.rename-form input').id = inputId;
    // The provider says where the passkey lives; not worth repeating when it is the name too.
    const provider = providerName(passkey);
    item.querySelector('.provider').textContent = provider === passkey.name ? '' : provider;
    const sync = item.querySelector('.sync');
    sync.textContent = passkey.synced ? 'Synced' : 'This device only';
    sync.classList.add(passkey.synced ? 'synced' : 'device');
    const created = item.querySelector('.created');
    created.textContent = formatDate(passkey.createdAt) ?? 'Unknown';
    created.dateTime = passkey.createdAt ?? '';
    const lastUsed = item.querySelector('.last-used');
    lastUsed.textContent = formatDate(passkey.lastUsedAt) ?? 'Never';
    lastUsed.dateTime = passkey.lastUsedAt ?? '';
    for (const label of item.querySelectorAll('.passkey-label')) label.textContent = passkey.name;
    item.querySelector('.rename').addEventListener('click', () => openRename(item, passkey));
    item.querySelector('.cancel').addEventListener('click', () => closeRename(item));
    item.querySelector('.rename-form').addEventListener('submit', (event) => {
      event.preventDefault();
      rename(item, passkey);
    });
    item.querySelector('.rename-form').addEventListener('keydown', (event) => {
      if (event.key === 'Escape') closeRename(item);
    });
    item.querySelector('.delete').addEventListener('click', () => remove(item, passkey));
    return item;
  });
  list.replaceChildren(...rows);
  list.setAttribute('aria-busy', 'false');
  document.getElementById('passkey-count').textContent = passkeys.length === 1
    ? '1 passkey' : `${passkeys.length} passkeys`;
}

async function loadPasskeys() {
  ({ passkeys } = await call(api.get('/api/passkeys')));
  renderPasskeys();
  announce('account:changed');
}

function itemFor(id) {
  return [...list.children].find((item) => item.dataset.id === id);
}

function openRename(item, passkey) {
  const form = item.querySelector('.rename-form');
  const input = form.querySelector('input');
  input.value = passkey.name;
  item.querySelector('.passkey-name').hidden = true;
  item.querySelector('.passkey-actions').hidden = true;
  form.hidden = false;
  input.focus();
  input.select();
}

function closeRename(item) {
  item.querySelector('.rename-form').hidden = true;
  item.querySelector('.passkey-name').hidden = false;
  item.querySelector('.passkey-actions').hidden = false;
  showMessage(item.querySelector('.error'), '');
  item.querySelector('.rename').focus();
}

async function rename(item, passkey) {
  const form = item.querySelector('.rename-form');
  const name = form.querySelector('input').value.trim();
  const error = item.querySelector('.error');
  if (name === passkey.name) {
    closeRename(item);
    return;
  }
  setBusy(form, true);
  try {
    await call(api.patch(`/api/passkeys/${encodeURIComponent(passkey.id)}`, { name }));
    await loadPasskeys();
    showMessage(status, `Renamed the passkey to “${name}”.`);
    itemFor(passkey.id)?.querySelector('.rename').focus();
  } catch (failure) {
    setBusy(form, false);
    showMessage(error, describeError(failure, 'rename'));
    form.querySelector('input').focus();
  }
}

function confirmAction({ title, text, confirmLabel }) {
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-text').textContent = text;
  document.getElementById('confirm-button').textContent = confirmLabel;
  dialog.returnValue = '';
  dialog.showModal();
  document.getElementById('confirm-cancel').focus();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true });
  });
}

async function remove(item, passkey) {
  const error = item.querySelector('.error');
  showMessage(error, '');
  const confirmed = await confirmAction({
    title: `Delete “${passkey.name}”?`,
    text: 'You will no longer be able to sign in with this passkey, and every browser signed in with it is signed out, this one too if you signed in here with it. Your device may keep showing it until it learns that it was deleted.',
    confirmLabel: 'Delete passkey',
  });
  if (!confirmed) {
    item.querySelector('.delete').focus();
    return;
  }
  setBusy(item, true);
  try {
    await call(api.delete(`/api/passkeys/${encodeURIComponent(passkey.id)}`));
  } catch (failure) {
    setBusy(item, false);
    showMessage(error, describeError(failure, 'delete'));
    item.querySelector('.delete').focus();
    return;
  }
  await loadPasskeys().catch(() => {});
  showMessage(status, `Deleted the passkey “${passkey.name}”.`);
  addButton.focus();
  await signalAllAcceptedCredentials({
    rpId, userId: user.id, allAcceptedCredentialIds: passkeys.map((kept) => kept.id),
  });
}

async function addPasskey() {
  const error = document.getElementById('add-error');
  showMessage(error, '');
  showMessage(status, 'Waiting for your new passkey…');
  setBusy(main, true);
  try {
    const { publicKey } = await call(api.post('/api/passkeys/options', {}));
    const credential = await createCredential(publicKey);
    const { passkey } = await call(api.post('/api/passkeys', credential));
    await loadPasskeys();
    showMessage(status, `Added the passkey “${passkey.name}”.`);
  } catch (failure) {
    showMessage(status, '');
    showMessage(error, describeError(failure, 'create'));
  } finally {
    setBusy(main, false);
    addButton.focus();
  }
}

async function saveDisplayName(event) {
  event.preventDefault();
  const error = document.getElementById('profile-error');
  showMessage(error, '');
  const displayName = displayNameField.value.trim();
  if (displayName === user.displayName) return;
  setBusy(profileForm, true);
  try {
    ({ user } = await call(api.patch('/api/account', { displayName })));
    showUser();
    announce('account:changed');
    showMessage(status, 'Saved your display name.');
    await signalCurrentUserDetails({
      rpId, userId: user.id, name: user.username, displayName: user.displayName,
    });
  } catch (failure) {
    showMessage(error, describeError(failure, 'profile'));
  } finally {
    setBusy(profileForm, false);
    restoreFocus(displayNameField);
  }
}

async function signOut() {
  setBusy(main, true);
  try {
    await api.delete('/api/session');
    window.location.assign('/');
  } catch (failure) {
    setBusy(main, false);
    showMessage(status, describeError(failure, 'sign-out'));
    restoreFocus(document.getElementById('sign-out'));
  }
}

async function deleteAccount() {
  const error = document.getElementById('delete-account-error');
  showMessage(error, '');
  const confirmed = await confirmAction({
    title: 'Delete your account?',
    text: `This deletes ${user.username} and all of its passkeys from this site. It cannot be undone.`,
    confirmLabel: 'Delete account',
  });
  if (!confirmed) {
    document.getElementById('delete-account').focus();
    return;
  }
  setBusy(main, true);
  try {
    await call(api.delete('/api/account'));
  } catch (failure) {
    setBusy(main, false);
    showMessage(error, describeError(failure, 'delete-account'));
    restoreFocus(document.getElementById('delete-account'));
    return;
  }
  // None of the account's passkeys work any more: the provider may drop them all.
  await signalAllAcceptedCredentials({ rpId, userId: user.id, allAcceptedCredentialIds: [] });
  window.location.assign('/');
}

async function start() {
  try {
    ({ user, rpId } = await api.get('/api/session'));
  } catch (error) {
    if (error.code === 'unauthenticated') {
      goToSignIn();
      return;
    }
    showMessage(status, describeError(error, 'session'));
    return;
  }
  rpId = rpId ?? window.location.hostname;
  showUser();
  document.getElementById('account').hidden = false;
  document.getElementById('sign-out').hidden = false;
  try {
    await loadPasskeys();
  } catch (error) {
    showMessage(status, describeError(error, 'passkeys'));
  }
  profileForm.addEventListener('submit', saveDisplayName);
  addButton.addEventListener('click', addPasskey);
  // js/account-recovery.js adds passkeys too (recovery, the upgrade).
  document.addEventListener('passkeys:changed', () => { loadPasskeys().catch(() => {}); });
  document.getElementById('sign-out').addEventListener('click', signOut);
  document.getElementById('delete-account').addEventListener('click', deleteAccount);
}

window.addEventListener('pageshow', (event) => {
  if (event.persisted) window.location.reload();
});

start();
