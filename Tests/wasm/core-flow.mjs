// Runs flows in the client core compiled to WebAssembly (wasm/build.sh), through the exported
// boundary the web app uses (docs/client-core.md): JSON messages in linear memory.
// Usage: node Tests/wasm/core-flow.mjs Sources/PasskeyServer/Public/core.wasm
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';

const file = process.argv[2];
const { instance } = await WebAssembly.instantiate(readFileSync(file), {});
const core = instance.exports;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function send(message, machine = 'passkeys_send') {
  const bytes = encoder.encode(JSON.stringify(message));
  const at = core.passkeys_input(bytes.length);
  new Uint8Array(core.memory.buffer, at, bytes.length).set(bytes);
  const length = core[machine](bytes.length);
  assert.ok(length > 0, `${machine} answered ${length}`);
  return JSON.parse(decoder.decode(new Uint8Array(core.memory.buffer, core.passkeys_output(), length)));
}

const user = { id: 'AAECAw', username: 'ada@example.com', displayName: 'Ada' };
const passkey = {
  id: 'b25l', name: 'Passkey', createdAt: '2026-11-22T10:00:00Z', lastUsedAt: null,
  aaguid: '00000000-0000-0000-0000-000000000000', provider: null, synced: true, backupEligible: true,
  transports: ['internal', 'hybrid'], algorithm: -7,
};
const http = (effect, status, body, retryAfter) => send({
  event: 'http', id: effect.id, status, body: body === undefined ? '' : JSON.stringify(body), ...(retryAfter ? { retryAfter } : {}),
});
let passed = 0;
function flow(name, run) {
  core.passkeys_reset();
  try {
    run();
    passed += 1;
  } catch (error) {
    console.error(`core flow "${name}" failed: ${error.message}`);
    process.exit(1);
  }
}

flow('sign-up', () => {
  let answer = send({ event: 'refresh' });
  let [effect] = answer.effects;
  assert.deepEqual(effect, { effect: 'http', id: 1, request: 'session', method: 'GET', path: '/api/session', body: null });
  assert.equal(answer.view.screen, 'loading');
  answer = http(effect, 401, { error: { code: 'unauthenticated', message: 'sign in first' } });
  assert.deepEqual(answer.effects, []);
  assert.equal(answer.view.screen, 'signedOut');
  assert.equal(answer.view.problem, null);

  answer = send({ event: 'signUp', username: 'ada@example.com', displayName: 'Ada' });
  [effect] = answer.effects;
  assert.equal(effect.path, '/api/registration/options');
  assert.deepEqual(JSON.parse(effect.body), { username: 'ada@example.com', displayName: 'Ada' });
  answer = http(effect, 200, { publicKey: { challenge: 'Y2g', timeout: 300000, extensions: { credProps: true } } });
  assert.deepEqual(answer.effects, [{ effect: 'create', options: { challenge: 'Y2g', timeout: 300000, extensions: { credProps: true } } }]);
  assert.equal(answer.view.canCancel, true);

  answer = send({ event: 'create', credential: { id: 'b25l', type: 'public-key' } });
  [effect] = answer.effects;
  assert.equal(effect.path, '/api/registration');
  assert.deepEqual(JSON.parse(effect.body), { id: 'b25l', type: 'public-key' });
  answer = http(effect, 201, { user, passkey, rpId: 'localhost' });
  assert.equal(answer.view.screen, 'signedIn');
  assert.equal(answer.view.account.passkeyCount, '1 passkey');
  assert.equal(answer.view.account.passkeys[0].details, 'synced · added 22 Nov 2026');
});

flow('signing in again: the form without the session check, then on to next', () => {
  send({ event: 'page', next: '/oauth2/authorize?client_id=app' });
  let answer = send({ event: 'signInAgain' });
  assert.deepEqual(answer.effects, []);
  assert.equal(answer.view.screen, 'signedOut');
  let [effect] = send({ event: 'signIn' }).effects;
  assert.equal(effect.path, '/api/authentication/options');
  assert.equal(http(effect, 200, { publicKey: { challenge: 'Z2V0' } }).effects[0].effect, 'get');
  [effect] = send({ event: 'get', credential: { id: 'b25l' } }).effects;
  answer = http(effect, 200, { user, rpId: 'localhost' });
  effect = answer.effects.find((e) => e.request === 'listPasskeys');
  answer = http(effect, 200, { passkeys: [passkey] });
  assert.equal(answer.view.screen, 'signedIn');
  assert.equal(answer.view.destination, '/oauth2/authorize?client_id=app');
});

flow('the account page in German: the upgrade cancelled for a modal create, the address confirmed, the password removed', () => {
  send({ event: 'languages', languages: ['de-DE'] });
  let [effect] = send({ event: 'refresh' }).effects;
  [effect] = http(effect, 200, { user: { ...user, emailVerified: false }, rpId: 'example.com', recovery: false, hasPassword: true }).effects;
  let answer = http(effect, 200, { passkeys: [] });
  effect = answer.effects.find((e) => e.request === 'upgradeOptions');
  assert.deepEqual(JSON.parse(effect.body), { mediation: 'conditional' });
  assert.equal(answer.view.account.createPasskey.heading, 'Passkey erstellen');
  assert.equal(answer.view.account.confirmEmail, true);
  assert.deepEqual(http(effect, 200, { publicKey: { challenge: 'dXA' } }).effects,
    [{ effect: 'create', options: { challenge: 'dXA' }, mediation: 'conditional' }]);
  answer = send({ event: 'addPasskey' });
  assert.deepEqual(answer.effects.map((e) => e.effect), ['cancel', 'http']);
  assert.deepEqual(http(answer.effects[1], 200, { publicKey: { challenge: 'bW9k' } }).effects,
    [{ effect: 'create', options: { challenge: 'bW9k' } }]);
  [effect] = send({ event: 'create', credential: { id: 'b25l', type: 'public-key' } }).effects;
  answer = http(effect, 201, { passkey });
  assert.equal(answer.view.account.createPasskey, null);
  assert.equal(answer.view.account.removePassword, true);

  [effect] = send({ event: 'confirmEmail', code: '12345678' }).effects;
  answer = http(effect, 429, { error: { code: 'rate_limited', message: 'slow' } }, '20');
  assert.equal(answer.view.problem, 'Zu viele Versuche. Versuchen Sie es in 20 Sekunden erneut.');
  [effect] = send({ event: 'confirmEmail', code: '12345678' }).effects;
  answer = http(effect, 200, { user: { ...user, emailVerified: true } });
  assert.equal(answer.view.notice, 'Ihre E-Mail-Adresse ist bestätigt.');
  assert.equal(answer.view.account.continue, true);
  [effect] = send({ event: 'removePassword' }).effects;
  assert.deepEqual([effect.method, effect.path], ['DELETE', '/api/password']);
  answer = http(effect, 204);
  assert.equal(answer.view.account.removePassword, false);
  assert.match(answer.view.notice, /Passwort ist entfernt/);
});

flow('sign-in with the Signal API, then delete a passkey in Japanese', () => {
  send({ event: 'refresh' });
  let answer = http({ id: 1 }, 401, { error: { code: 'unauthenticated', message: 'no' } });
  answer = send({ event: 'languages', languages: ['ja-JP', 'en'] });
  assert.equal(answer.view.lang, 'ja');
  answer = send({ event: 'signIn' });
  answer = http(answer.effects[0], 200, { publicKey: { challenge: 'Z2V0' } });
  assert.deepEqual(answer.effects, [{ effect: 'get', options: { challenge: 'Z2V0' }, mediation: 'modal' }]);
  assert.equal(answer.view.progress, 'パスキーを待っています: デバイスの案内に従ってパスキーを選んでください。');
  answer = send({ event: 'get', credential: { id: 'b25l' } });
  answer = http(answer.effects[0], 200, { user, rpId: 'localhost' });
  const [details, list] = answer.effects;
  assert.deepEqual(details, { effect: 'signalCurrentUserDetails', rpId: 'localhost', userId: 'AAECAw', name: 'ada@example.com', displayName: 'Ada' });
  const second = { ...passkey, id: 'dHdv', name: 'YubiKey', synced: false, backupEligible: false, transports: ['usb'] };
  answer = http(list, 200, { passkeys: [passkey, second] });
  assert.deepEqual(answer.effects, [{ effect: 'signalAllAcceptedCredentials', rpId: 'localhost', userId: 'AAECAw', allAcceptedCredentialIds: ['b25l', 'dHdv'] }]);
  assert.equal(answer.view.account.passkeys[1].provider, 'セキュリティキー');
  assert.equal(answer.view.account.passkeyCount, 'パスキー 2 個');

  answer = send({ event: 'deletePasskey', id: 'dHdv' });
  assert.equal(answer.effects[0].method, 'DELETE');
  assert.equal(answer.effects[0].path, '/api/passkeys/dHdv');
  assert.equal(answer.view.account.passkeys[1].busy, true);
  assert.equal(answer.effects[0].user, 'AAECAw', 'a signed-in request names the account the page shows');
  answer = http(answer.effects[0], 204);
  assert.deepEqual(answer.view.account.passkeys.map((row) => row.id), ['b25l'], 'the list is updated in place');
  assert.equal(answer.view.notice, 'パスキー「YubiKey」を削除しました。');
  // The provider hears of the passkeys as the server lists them now, not as the page last saw them.
  assert.deepEqual(answer.effects.map((effect) => [effect.request, effect.user]), [['listPasskeys', 'AAECAw']]);
  answer = http(answer.effects[0], 200, { passkeys: [passkey] });
  assert.deepEqual(answer.effects, [{ effect: 'signalAllAcceptedCredentials', rpId: 'localhost', userId: 'AAECAw', allAcceptedCredentialIds: ['b25l'] }]);
  assert.equal(answer.view.notice, 'パスキー「YubiKey」を削除しました。');
});

flow('the sign-in page: its words per language, the email rule, autofill kept behind a problem', () => {
  let answer = send({ event: 'languages', languages: ['de-AT'] });
  assert.equal(answer.text['signIn.createAccount'], 'Konto erstellen');
  assert.equal(answer.text['signIn.withPasskey'], 'Mit einem Passkey anmelden');
  answer = send({ event: 'languages', languages: ['en-US'] });
  assert.equal(answer.text['signIn.createAccount'], 'Create account');
  send({ event: 'refresh' });
  answer = http({ id: 1 }, 401, { error: { code: 'unauthenticated', message: 'no' } });
  assert.equal(answer.view.offersAutofill, true);
  answer = send({ event: 'signUp', username: 'not an email', email: true });
  assert.deepEqual(answer.effects, [], 'no request for something that is not an email address');
  assert.equal(answer.view.problemCode, 'invalid_email');
  assert.equal(answer.view.problem, 'Enter a valid email address, like ada@example.com.');
  answer = send({ event: 'startAutofill' });
  assert.equal(answer.view.problem, 'Enter a valid email address, like ada@example.com.', 'the problem stays while autofill waits');
  assert.equal(answer.view.canStart, true);
  answer = http(answer.effects[0], 0);
  assert.equal(answer.view.offersAutofill, false, 'autofill that failed by itself is not offered again');
  assert.deepEqual(send({ event: 'startAutofill' }).effects, [], 'and the core does not take it');
  answer = send({ event: 'signIn' });
  answer = http(answer.effects[0], 200, { publicKey: { challenge: 'Z2V0' } });
  answer = send({ event: 'get', error: { name: 'NotAllowedError', message: 'no' } });
  assert.equal(answer.view.problem, 'Sign-in was cancelled, or there is no passkey for this site on this device.');
  assert.equal(answer.view.offersAutofill, true, 'after the person\'s own attempt, autofill is offered again');
});

flow('an intent while a background options request is out waits for its answer, so two ceremonies never race for the cookie', () => {
  send({ event: 'refresh' });
  http({ id: 1 }, 401, { error: { code: 'unauthenticated', message: 'no' } });
  const autofill = send({ event: 'startAutofill' }).effects[0];
  assert.equal(autofill.path, '/api/authentication/options');
  let answer = send({ event: 'signIn', username: 'ada@example.com' });
  assert.deepEqual(answer.effects, [], 'no second options request while autofill\'s is out');
  assert.equal(answer.view.progress, 'Contacting the server…');
  answer = http(autofill, 200, { publicKey: { challenge: 'YXV0bw' } });
  assert.deepEqual(answer.effects.map((e) => [e.effect, e.path]), [['http', '/api/authentication/options']],
    'autofill\'s options go unused; the person\'s are asked for');
  assert.deepEqual(JSON.parse(answer.effects[0].body), { username: 'ada@example.com' });

  core.passkeys_reset();
  let [effect] = send({ event: 'refresh' }).effects;
  [effect] = http(effect, 200, { user, rpId: 'example.com', recovery: false, hasPassword: true }).effects;
  const upgrade = http(effect, 200, { passkeys: [] }).effects.find((e) => e.request === 'upgradeOptions');
  answer = send({ event: 'addPasskey' });
  assert.deepEqual(answer.effects, [], 'adding a passkey waits for the upgrade\'s options');
  answer = http(upgrade, 200, { publicKey: { challenge: 'dXA' } });
  assert.deepEqual(answer.effects.map((e) => [e.effect, e.path]), [['http', '/api/passkeys/options']],
    'no conditional create: the person\'s own options are asked for');
});

flow('the sign-in page in German: a wrong password, the recovery code, the recovery session, and where the page goes', () => {
  send({ event: 'page', next: '/..//evil.example/x' });
  send({ event: 'languages', languages: ['de-DE'] });
  let [effect] = send({ event: 'refresh' }).effects;
  http(effect, 401, { error: { code: 'unauthenticated', message: 'sign in first' } });
  let answer = send({ event: 'signInWithPassword', username: 'grace@example.com', password: 'wrong horse' });
  [effect] = answer.effects;
  assert.equal(effect.path, '/api/password');
  assert.deepEqual(JSON.parse(effect.body), { username: 'grace@example.com', password: 'wrong horse' });
  answer = http(effect, 401, { error: { code: 'invalid_credentials', message: 'no' } });
  assert.equal(answer.view.problemCode, 'invalid_credentials');
  assert.equal(answer.view.problem, 'Die E-Mail-Adresse oder das Passwort ist falsch.');

  [effect] = send({ event: 'requestRecoveryCode', email: 'grace@example.com' }).effects;
  assert.equal(effect.path, '/api/recovery/options');
  answer = http(effect, 202, {});
  assert.equal(answer.view.codeSent, true);
  assert.equal(answer.view.notice, 'Falls ein Konto diese Adresse hat, ist ein Code unterwegs. Er gilt einige Minuten.');
  [effect] = send({ event: 'redeemRecoveryCode', email: 'grace@example.com', code: '1234 5678', proof: 'cHJvb2Y' }).effects;
  assert.deepEqual(JSON.parse(effect.body), { email: 'grace@example.com', code: '12345678', proof: 'cHJvb2Y' });
  [effect] = http(effect, 200, { user: { ...user, username: 'grace@example.com' }, recovery: true }).effects;
  assert.equal(effect.path, '/api/passkeys');
  answer = http(effect, 200, { passkeys: [passkey] });
  assert.equal(answer.view.screen, 'signedIn');
  assert.equal(answer.view.toAccount, true);
  assert.equal(answer.view.destination, '/account');
});

flow('a password sign-in goes to a safe next, resolved, and an unsafe one to the account page', () => {
  send({ event: 'page', next: '/account/../.well-known/passkey-endpoints' });
  let [effect] = send({ event: 'refresh' }).effects;
  http(effect, 401, { error: { code: 'unauthenticated', message: 'sign in first' } });
  [effect] = send({ event: 'signInWithPassword', username: 'grace@example.com', password: 'correct horse' }).effects;
  [effect] = http(effect, 200, { user, passwordOnly: false }).effects;
  let answer = http(effect, 200, { passkeys: [passkey] });
  assert.equal(answer.view.destination, '/.well-known/passkey-endpoints');
  core.passkeys_reset();
  send({ event: 'page', next: '/%2e%2e//evil.example/x' });
  [effect] = send({ event: 'refresh' }).effects;
  [effect] = http(effect, 200, { user }).effects;
  answer = http(effect, 200, { passkeys: [passkey] });
  assert.equal(answer.view.destination, '/account');
});

flow('refusals in German: the device already has a passkey, and Retry-After', () => {
  send({ event: 'languages', languages: ['de'] });
  send({ event: 'refresh' });
  http({ id: 1 }, 401, { error: { code: 'unauthenticated', message: 'no' } });
  let answer = send({ event: 'signUp', username: 'ada' });
  answer = http(answer.effects[0], 200, { publicKey: { challenge: 'Y2g' } });
  answer = send({ event: 'create', error: { name: 'InvalidStateError', message: 'excluded' } });
  assert.equal(answer.view.problemCode, 'passkey_exists');
  assert.equal(answer.view.problem, 'Dieses Gerät hat bereits einen Passkey für dieses Konto.');
  answer = send({ event: 'signIn', username: 'ada' });
  answer = http(answer.effects[0], 429, { error: { code: 'rate_limited', message: 'slow down' } }, '17');
  assert.equal(answer.view.problem, 'Zu viele Versuche. Versuchen Sie es in 17 Sekunden erneut.');
});

flow('a message the core does not know is an error, not ignored', () => {
  assert.deepEqual(send({ event: 'teleport' }), { error: { code: 'unknown_event', message: 'the core has no event "teleport"' } });
  assert.equal(send({ event: 'http', id: 42, status: 200, body: '{}' }).error.code, 'unknown_request');
});

flow('memory is reused: a long session does not keep growing it', () => {
  send({ event: 'refresh' });
  http({ id: 1 }, 401, { error: { code: 'unauthenticated', message: 'no' } });
  const before = core.memory.buffer.byteLength;
  for (let round = 0; round < 2000; round += 1) {
    const answer = send({ event: 'signIn', username: `user${round}` });
    http(answer.effects[0], 0);
  }
  assert.equal(core.memory.buffer.byteLength, before, `memory grew from ${before} to ${core.memory.buffer.byteLength} bytes`);
});

flow('sessions and activity: load, end the other session, in Japanese at UTC+9', () => {
  const security = (message) => send(message, 'passkeys_security_send');
  const reply = (effect, status, body) => security({ event: 'http', id: effect.id, status, body: body === undefined ? '' : JSON.stringify(body) });
  const words = security({ event: 'languages', languages: ['ja-JP'], utcOffsetMinutes: 540 }).text;
  assert.equal(words['security.sessionsHeading'], 'サインインしている場所');
  assert.equal(words['security.noApps'], 'まだアプリはありません。');
  let answer = security({ event: 'load' });
  assert.deepEqual(answer.effects.map((e) => `${e.method} ${e.path}`), ['GET /api/passkeys', 'GET /api/sessions', 'GET /api/account/activity', 'GET /api/oidc/apps']);
  const [passkeys, sessions, activity, apps] = answer.effects;
  reply(passkeys, 200, { passkeys: [passkey] });
  reply(apps, 200, { apps: [] });
  reply(activity, 200, { events: [{ type: 'sign_in', at: '2026-12-02T14:03:00Z', ip: '203.0.113.9', userAgent: 'Firefox', passkeyId: 'b25l' }], next: null });
  answer = reply(sessions, 200, { sessions: [
    { id: 'here', createdAt: '2026-12-02T14:03:00Z', lastSeenAt: '2026-12-02T14:03:00Z', ip: '203.0.113.9', userAgent: 'Firefox', passkeyId: 'b25l', current: true },
    { id: 'phone', createdAt: '2026-12-01T08:00:00Z', lastSeenAt: '2026-12-01T09:00:00Z', ip: null, userAgent: 'Safari', passkeyId: null, current: false },
  ] });
  assert.equal(answer.view.sessionSummary, 'このブラウザとほかに1か所でサインインしています。');
  assert.equal(answer.view.activity[0].title, 'サインイン(パスキー「Passkey」)');
  assert.equal(answer.view.activity[0].details, '2026年12月2日 23:03 · Firefox · 203.0.113.9');
  assert.deepEqual(answer.view.sessions.map((s) => s.canEnd), [false, true]);
  answer = security({ event: 'endSession', id: 'phone' });
  assert.deepEqual(answer.effects.map((e) => `${e.method} ${e.path}`), ['DELETE /api/sessions/phone']);
  answer = reply(answer.effects[0], 204);
  assert.equal(answer.view.notice, 'Safari をサインアウトしました。');
  assert.equal(answer.effects.length, 4, 'and it loads everything again');
  assert.equal(security({ event: 'teleport' }).error.code, 'unknown_event');
});

flow('the consent page: the prompt in German, allowing, going back to the app', () => {
  const consent = (message) => send(message, 'passkeys_consent_send');
  consent({ event: 'languages', languages: ['de-AT'] });
  let answer = consent({ event: 'load', query: 'client_id=grafana&scope=openid%20email' });
  assert.deepEqual(answer.effects.map((e) => `${e.method} ${e.path}`), ['GET /api/oidc/consent?client_id=grafana&scope=openid%20email']);
  answer = consent({ event: 'http', id: answer.effects[0].id, status: 200,
    body: JSON.stringify({ client: { id: 'grafana', name: 'Grafana' }, scopes: ['openid', 'email'], username: 'ada@example.com' }) });
  assert.equal(answer.view.title, 'Grafana erlauben?');
  assert.deepEqual(answer.view.scopes.map((s) => s.words), ['Eine Kennung Ihres Kontos (nicht Ihre E-Mail-Adresse)', 'Ihre E-Mail-Adresse']);
  answer = consent({ event: 'allow' });
  assert.equal(answer.effects[0].body, '{"request":"client_id=grafana&scope=openid%20email","decision":"allow"}');
  answer = consent({ event: 'http', id: answer.effects[0].id, status: 200, body: '{"redirectTo":"https://grafana.example/cb?code=c"}' });
  assert.deepEqual(answer.view.destination, { url: 'https://grafana.example/cb?code=c', replace: false });
  assert.equal(consent({ event: 'approve' }).error.code, 'unknown_event');
});

console.log(`${passed} flows`);
