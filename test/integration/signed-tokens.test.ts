/**
 * Signed tokens from an embedding application: a JWT { doc, role, name, exp } is a link on
 * sockets and over HTTP; its name is stamped on presence; expired, forged, re-signed,
 * other-document and escalated tokens are refused with typed errors.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { assertApiError, http } from '../support/http.js';
import { useTestServer } from '../support/test-server.js';
import { waitFor } from '../support/wait.js';

const SECRET = 'a-secret-of-at-least-thirty-two-characters';
const secretKey = new TextEncoder().encode(SECRET);

interface Claims {
  readonly doc: string;
  readonly role: string;
  readonly name?: string;
  /** Seconds from now; negative: already expired. */
  readonly expiresIn?: number;
}

function sign(claims: Claims, key: Uint8Array | CryptoKey = secretKey, alg = 'HS256'): Promise<string> {
  const { expiresIn = 3600, ...payload } = claims;
  return new SignJWT({ name: 'Ada', ...payload })
    .setProtectedHeader({ alg })
    .setExpirationTime(Math.floor(Date.now() / 1000) + expiresIn)
    .sign(key);
}

/** The same token with its payload replaced and its signature kept: a forgery. */
function tamper(token: string, change: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.');
  const claims = { ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), ...change };
  return [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
}

describe('signed tokens (HS256)', () => {
  const t = useTestServer({ signedTokens: { secret: SECRET } });

  it('accepts a token as a link on sockets and stamps its name on presence', async () => {
    const docName = await t().createDoc();
    const writer = t().provider(docName, { token: await sign({ doc: docName, role: 'edit', name: 'Grace' }) });
    const watcher = t().provider(docName, { token: await sign({ doc: docName, role: 'view', name: 'Watcher' }) });
    await Promise.all([writer.whenSynced(), watcher.whenSynced()]);
    assert.equal(writer.role, 'edit');
    assert.equal(watcher.role, 'view');
    writer.doc.getText('t').insert(0, 'signed');
    await writer.whenSaved();
    // The client claims another name; everyone sees the token's.
    writer.awareness.setLocalStateField('user', { name: 'Mallory', color: '#123456' });
    const seen = await waitFor('the watcher to see the writer\'s colour', () => {
      const state = watcher.awareness.getStates().get(writer.awareness.clientID) as { user?: { name?: string; color?: string } } | undefined;
      return state?.user?.color === '#123456' ? state.user : null;
    });
    assert.equal(seen.name, 'Grace');
  });

  it('accepts a token over HTTP as a bearer', async () => {
    const docName = await t().createDoc();
    const token = await sign({ doc: docName, role: 'view' });
    const exported = await http(`${t().url}/api/docs/${docName}/export?format=md`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(exported.status, 200, exported.text);
    const owner = await sign({ doc: docName, role: 'owner' });
    const links = await http(`${t().url}/api/docs/${docName}/links`, { headers: { authorization: `Bearer ${owner}` } });
    assert.equal(links.status, 200, links.text);
  });

  it('refuses expired, forged, wrongly signed and other-document tokens', async () => {
    const docName = await t().createDoc();
    const other = await t().createDoc();
    const cases: Array<[string, string, string]> = [
      ['expired', await sign({ doc: docName, role: 'edit', expiresIn: -10 }), 'link-expired'],
      ['signed with another secret', await sign({ doc: docName, role: 'edit' }, new TextEncoder().encode('another-secret-of-thirty-two-characters!')), 'forbidden'],
      ['for another document', await sign({ doc: other, role: 'edit' }), 'forbidden'],
      ['with its payload changed', tamper(await sign({ doc: docName, role: 'view' }), { role: 'owner' }), 'forbidden'],
      ['unsigned', tamper(await sign({ doc: docName, role: 'view' }), {}).replace(/\.[^.]*$/, '.'), 'forbidden'],
      ['with an unknown role', await sign({ doc: docName, role: 'admin' }), 'forbidden'],
      ['without a name', await sign({ doc: docName, role: 'edit', name: '' }), 'forbidden'],
    ];
    for (const [what, token, code] of cases) {
      const provider = t().provider(docName, { token });
      await waitFor(`a token ${what} to be refused`, () => provider.lastError !== null);
      assert.equal(provider.lastError?.code, code, what);
      assert.notEqual(provider.role, 'edit', what);
      provider.destroy();
      const result = await http(`${t().url}/api/docs/${docName}/export?format=md`, { headers: { authorization: `Bearer ${token}` } });
      assertApiError(result, code === 'link-expired' ? 410 : 403, code);
    }
  });

  it('keeps a token to its role: a view token cannot write, an edit token cannot manage links', async () => {
    const docName = await t().createDoc();
    const viewer = t().provider(docName, { token: await sign({ doc: docName, role: 'view' }) });
    await viewer.whenSynced();
    viewer.doc.getText('t').insert(0, 'sneaky');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(t().server.loadedDoc(docName)?.getText('t').toString(), '', 'nothing of the view token reached the server');
    const edit = await sign({ doc: docName, role: 'edit' });
    const headers = { authorization: `Bearer ${edit}`, 'content-type': 'application/json' };
    assertApiError(await http(`${t().url}/api/docs/${docName}/links`, { method: 'POST', headers, body: '{"role":"edit"}' }), 403, 'forbidden');
    assertApiError(await http(`${t().url}/api/docs/${docName}/links/original`, { method: 'DELETE', headers }), 403, 'forbidden');
    const view = await sign({ doc: docName, role: 'view' });
    assertApiError(await http(`${t().url}/api/docs/${docName}/links`, { method: 'POST', headers: { ...headers, authorization: `Bearer ${view}` }, body: '{"role":"view"}' }), 403, 'read-only');
  });
});

describe('signed tokens (ES256 public key)', () => {
  let privateKey: CryptoKey;
  const t = useTestServer(async () => {
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    return { signedTokens: { publicKey: await exportSPKI(pair.publicKey) } };
  });

  it('accepts tokens signed with the private key and refuses an HS256 token', async () => {
    const docName = await t().createDoc();
    const good = t().provider(docName, { token: await sign({ doc: docName, role: 'edit' }, privateKey, 'ES256') });
    await good.whenSynced();
    assert.equal(good.role, 'edit');
    const hs = t().provider(docName, { token: await sign({ doc: docName, role: 'edit' }) });
    await waitFor('an HS256 token to be refused', () => hs.lastError !== null);
    assert.equal(hs.lastError?.code, 'forbidden');
  });
});

describe('embedding the editor', () => {
  const t = useTestServer({ signedTokens: { secret: SECRET }, allowedOrigins: ['https://app.example'] });

  it('lets the allowed origins, and only them, frame the editor page', async () => {
    const page = await http(`${t().url}/d/${await t().createDoc()}`);
    const policy = page.headers.get('content-security-policy') ?? '';
    assert.match(policy, /frame-ancestors 'self' https:\/\/app\.example(;|$)/);
    assert.doesNotMatch(policy, /frame-ancestors 'none'/);
  });
});
