import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newDocId, newViewToken } from '../../shared/doc-id.js';
import { routeFromPath } from './page-route.js';

describe('routeFromPath', () => {
  it('opens /d/<id> for editing under the id', () => {
    const id = newDocId();
    assert.deepEqual(routeFromPath(`/d/${id}`), { kind: 'edit', docId: id, docName: id });
    assert.deepEqual(routeFromPath(`/d/${id}/`), { kind: 'edit', docId: id, docName: id });
  });

  it('opens /v/<token> view-only under v.<token>', () => {
    const token = newViewToken();
    assert.deepEqual(routeFromPath(`/v/${token}`), { kind: 'view', token, docName: `v.${token}` });
  });

  it('refuses anything else', () => {
    const id = newDocId();
    for (const path of ['/', '/d/', '/d/short', `/d/${id}/extra`, `/x/${id}`, `/v/${id}`, '/d/%E0%A4%A', `/d/${id.slice(0, 10)}%2F${id}`, `/v/v.${newViewToken()}`]) {
      assert.equal(routeFromPath(path), null, path);
    }
  });
});
