// Small page helpers shared by the sign-in and account pages: plain-words
// messages for every failure, and where to go after signing in.

import { ApiError } from './api.js';

// `action` is 'sign-in', 'create' (a new passkey) or anything else.
export function describeError(error, action) {
  switch (error?.name) {
    case 'AbortError':
      return null;
    case 'NotAllowedError':
      return action === 'sign-in'
        ? 'Sign-in was cancelled, or there is no passkey for this site on this device.'
        : 'Creating the passkey was cancelled or timed out.';
    case 'InvalidStateError':
      return action === 'create'
        ? 'This device already has a passkey for this account.'
        : 'Another passkey request is still open. Finish or close it, then try again.';
    case 'SecurityError':
      return 'The browser refused: this page’s address does not match the site’s passkey settings.';
    case 'NotSupportedError':
      return 'This browser or device cannot make the kind of passkey this site needs.';
    default:
      break;
  }
  if (error instanceof ApiError) {
    switch (error.code) {
      case 'network':
        return 'Can’t reach the server. Check your connection and try again.';
      case 'unknown_credential':
        return 'This passkey was deleted from its account, so it can’t sign you in any more. Use another passkey.';
      case 'username_taken':
        return 'An account with this email already exists. Sign in instead.';
      case 'invalid_username':
        return 'Enter an email address of at most 64 characters, without invisible characters.';
      case 'invalid_name':
        return 'Use a name of 1 to 64 characters that shows, without control or invisible characters.';
      case 'credential_exists':
        return 'This passkey is already registered.';
      case 'last_passkey':
        return 'This is your only passkey. Deleting it would lock you out of your account: add another passkey first.';
      case 'rate_limited':
        return 'Too many attempts. Wait a minute, then try again.';
      case 'ceremony_expired':
      case 'ceremony_not_found':
        return 'That took too long or was interrupted. Please try again.';
      case 'unauthenticated':
        return 'You have been signed out. Sign in again.';
      case 'account_disabled':
        return 'This account is disabled. Ask the site’s operators to turn it on again.';
      default:
        return error.message;
    }
  }
  if (typeof window.PublicKeyCredential !== 'function') {
    return 'This browser does not support passkeys.';
  }
  return error?.message || 'Something went wrong. Please try again.';
}

export function showMessage(element, text) {
  element.textContent = text ?? '';
}

export function setBusy(container, busy) {
  container.setAttribute('aria-busy', String(busy));
  for (const button of container.querySelectorAll('button')) button.disabled = busy;
}

// A `next` value is followed only when it names a page on this site. The rule
// is decided on the URL the browser would resolve, never on the text: dot
// segments (`/..//evil.example`, `/%2e%2e//evil.example`, `/a/../..//x`) and
// backslashes resolve to a path that starts with `//`, which the browser reads
// as another host when it is handed back as a relative URL. So: the value must
// look like a path (one leading `/`, no control characters, which the parser
// drops and could turn `/\t/host` into `//host`); once resolved against this
// origin it must keep this origin and its path must not start with `//`; and
// what is returned is the absolute URL, so nothing is resolved a second time.
export function safeNextPath(raw) {
  if (typeof raw !== 'string' || !raw.startsWith('/')) return null;
  if (/[\u0000-\u001f\u007f-\u009f\\]/.test(raw)) return null;
  let url;
  try {
    url = new URL(raw, window.location.origin);
  } catch {
    return null;
  }
  if (url.origin !== window.location.origin) return null;
  if (url.pathname.startsWith('//') || url.username || url.password) return null;
  return url.href;
}

export function afterSignInPath() {
  const next = new URLSearchParams(window.location.search).get('next');
  // An absolute `next` (forward-auth sends people back to another app) is the
  // server's to judge: /continue follows only its own origins and allowed hosts.
  if (typeof next === 'string' && /^https?:\/\//i.test(next)) return `/continue?next=${encodeURIComponent(next)}`;
  return safeNextPath(next) ?? '/account';
}

export function signInPath(next) {
  return `/?next=${encodeURIComponent(next).replace(/%2F/gi, '/')}`;
}
