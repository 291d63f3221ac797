import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { networkKey } from './network-key.js';

describe('networkKey', () => {
  it('keeps an IPv4 address as it is', () => {
    assert.equal(networkKey('203.0.113.9'), '203.0.113.9');
    assert.equal(networkKey('127.0.0.1'), '127.0.0.1');
    assert.notEqual(networkKey('203.0.113.9'), networkKey('203.0.113.10'), 'neighbouring IPv4 addresses are not one network');
  });

  it('takes an IPv4-mapped IPv6 address for the IPv4 address', () => {
    assert.equal(networkKey('::ffff:203.0.113.9'), '203.0.113.9');
    assert.equal(networkKey('::FFFF:203.0.113.9'), '203.0.113.9');
    assert.equal(networkKey('0:0:0:0:0:ffff:cb00:7109'), '203.0.113.9', 'written in hex');
    assert.equal(networkKey('::ffff:127.0.0.1'), networkKey('127.0.0.1'));
  });

  it('keys an IPv6 address by its /64, however it is written', () => {
    const key = '2001:db8:0:1::/64';
    for (const address of [
      '2001:db8:0:1::9',
      '2001:0db8:0000:0001:0000:0000:0000:0009',
      '2001:DB8:0:1:ffff:ffff:ffff:ffff',
      '2001:db8::1:0:0:0:1',
      '2001:db8:0:1::1.2.3.4',
      '2001:db8:0:1::1%eth0',
      '[2001:db8:0:1::9]',
      '[2001:db8:0:1::9]:443',
    ]) {
      assert.equal(networkKey(address), key, address);
    }
    assert.equal(networkKey('2001:db8:0:2::9'), '2001:db8:0:2::/64', 'the next /64 is another network');
    assert.equal(networkKey('2001:db8::'), '2001:db8::/64');
    assert.equal(networkKey('fe80::1%eth0'), 'fe80::/64');
    assert.equal(networkKey('1:2:3:4:5:6:7:8'), '1:2:3:4::/64');
    assert.equal(networkKey('::1'), '::/64');
    assert.equal(networkKey('::'), '::/64');
  });

  it('keeps what is no IP address as it is', () => {
    for (const garbage of [
      '',
      'unknown',
      'example.org',
      '1.2.3',
      '1.2.3.256',
      '1.2.3.4.5',
      '2001:db8::1::2',
      '2001:db8:0:1:2:3:4:5:6',
      '2001:db8:0:1:2:3:4',
      '1:2:3:4:5:6:7::8',
      '2001:db8:0:1:2:3:4:5::',
      '2001:db8::g',
      '12345::1',
      '1.2.3.4::1',
      '[2001:db8::1',
      ':::',
    ]) {
      assert.equal(networkKey(garbage), garbage, JSON.stringify(garbage));
    }
  });
});
