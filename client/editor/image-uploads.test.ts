import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { makePng } from '../../test/support/png.js';
import { uploadText } from './image-view.js';
import { readPicture } from './image-uploads.js';

describe('reading a picture before it is added', () => {
  it('names a picture by the SHA-256 of its bytes, as the server does, and types it by its bytes', async () => {
    const png = makePng({ width: 3, height: 2 });
    // Declared as a JPEG (a file with the wrong extension): the bytes decide.
    const picture = await readPicture(new Blob([new Uint8Array(png)], { type: 'image/jpeg' }));
    assert.ok('id' in picture, JSON.stringify(picture));
    assert.equal(picture.id, createHash('sha256').update(png).digest('base64url'));
    assert.equal(picture.blob.type, 'image/png');
    assert.deepEqual(new Uint8Array(await picture.blob.arrayBuffer()), new Uint8Array(png));
  });

  it('refuses SVG, files that are no picture, and pictures over the size limit, saying why', async () => {
    const svg = await readPicture(new Blob(['<svg xmlns="http://www.w3.org/2000/svg"/>'], { type: 'image/svg+xml' }));
    assert.match('refusal' in svg ? svg.refusal : '', /SVG/);
    const text = await readPicture(new Blob(['just text'], { type: 'image/png' }));
    assert.match('refusal' in text ? text.refusal : '', /Only PNG, JPEG, GIF and WebP/);
    const huge = await readPicture(new Blob([new Uint8Array(11 * 1024 * 1024)], { type: 'image/png' }));
    assert.match('refusal' in huge ? huge.refusal : '', /at most 10 MiB/);
  });
});

describe('the progress line of a picture', () => {
  it('says what is happening in words', () => {
    assert.equal(uploadText(undefined), '');
    assert.equal(uploadText({ kind: 'done' }), '');
    assert.equal(uploadText({ kind: 'uploading', fraction: 0.426 }), 'Uploading… 43%');
    assert.match(uploadText({ kind: 'waiting' }), /kept on this device/);
    assert.equal(uploadText({ kind: 'failed', message: 'The picture was not added: too large.' }), 'The picture was not added: too large.');
  });
});
