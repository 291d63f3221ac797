/**
 * SaveLedger: when "saved" may be said. A verification covers what preceded its mark; live updates
 * the server acknowledged right after what was verified extend it (steady typing stays saved);
 * a step 2, content from elsewhere or a refusal needs a verification again.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SaveLedger } from './save-ledger.js';

const bytes = new Uint8Array([1]);

describe('SaveLedger', () => {
  it('stays saved through a run of acknowledged live updates after a verification', () => {
    const ledger = new SaveLedger();
    const handshake = ledger.add('step2', null);
    ledger.acknowledgeUpTo(handshake);
    assert.equal(ledger.saved, false, 'a step 2 alone is not verified');
    assert.equal(ledger.wantsVerification, true);
    ledger.verified(ledger.verificationMark());
    assert.equal(ledger.saved, true);
    for (let i = 0; i < 5; i++) {
      const seq = ledger.add('update', bytes);
      assert.equal(ledger.saved, false, 'an unacknowledged change is not saved');
      ledger.acknowledge([seq]);
      assert.equal(ledger.saved, true, `acknowledged live update ${i} extends the verified run`);
      assert.equal(ledger.wantsVerification, false);
    }
  });

  it('extends only without a gap: acknowledgements out of order wait for the earlier one', () => {
    const ledger = new SaveLedger();
    ledger.verified(ledger.verificationMark());
    const first = ledger.add('update', bytes);
    const second = ledger.add('update', bytes);
    ledger.acknowledge([second]);
    assert.equal(ledger.saved, false);
    ledger.acknowledge([first]);
    assert.equal(ledger.saved, true);
  });

  it('needs a verification again after a step 2, and after a refused change', () => {
    const ledger = new SaveLedger();
    ledger.verified(ledger.verificationMark());
    const step2 = ledger.add('step2', null);
    const after = ledger.add('update', bytes);
    ledger.acknowledgeUpTo(step2);
    ledger.acknowledge([after]);
    assert.equal(ledger.saved, false, 'a step 2 breaks the run');
    ledger.verified(ledger.verificationMark());
    assert.equal(ledger.saved, true);

    const refused = ledger.add('update', bytes);
    const next = ledger.add('update', bytes);
    ledger.refuse([refused], null);
    ledger.acknowledge([next]);
    assert.equal(ledger.saved, false, 'a refused change breaks the run');
    assert.equal(ledger.wantsVerification, true);
  });

  it('does not count content from elsewhere that arrived while a verification was on its way', () => {
    const ledger = new SaveLedger();
    ledger.noteForeign();
    const mark = ledger.verificationMark();
    ledger.noteForeign();
    ledger.verified(mark);
    assert.equal(ledger.saved, false, 'the second offline copy is not covered');
    ledger.verified(ledger.verificationMark());
    assert.equal(ledger.saved, true);
  });

  it('resolves whenSaved once the run reaches it', async () => {
    const ledger = new SaveLedger();
    ledger.verified(ledger.verificationMark());
    const seq = ledger.add('update', bytes);
    let done = false;
    const saved = ledger.whenSaved().then(() => (done = true));
    await Promise.resolve();
    assert.equal(done, false);
    ledger.acknowledge([seq]);
    await saved;
    assert.equal(done, true);
  });
});
