/**
 * The address policy on its own: every spelling of a refused IPv4 address inside IPv6 (mapped,
 * translated, compatible, NAT64, 6to4) is judged as that IPv4 address, and special-purpose ranges
 * (benchmarking, protocol assignments, multicast, reserved) are refused with the private ones.
 */
import { describe, expect, it } from 'vitest';
import { checkLiteral, refusal, TargetRefusedError } from './target-guard.js';

describe('refusal', () => {
  it('never allows a cloud metadata address, however IPv6 spells it', () => {
    for (const address of [
      '169.254.169.254',
      '::a9fe:a9fe',
      '::169.254.169.254',
      '0:0:0:0:0:0:a9fe:a9fe',
      '::A9FE:A9FE',
      '::ffff:a9fe:a9fe',
      '::ffff:0:169.254.169.254',
      '64:ff9b::169.254.169.254',
      '64:ff9b:1::a9fe:a9fe',
      '2002:a9fe:a9fe::1',
      '::a83f:8110',
      '::100.100.100.200',
    ]) {
      expect(refusal(address, false), address).toContain('cloud metadata address');
      expect(refusal(address, true), address).toContain('cloud metadata address');
    }
    expect(refusal('::a9fe:a9fe', false)).toBe(
      '::a9fe:a9fe (169.254.169.254) is a cloud metadata address; Vigil never connects there.',
    );
    expect(() => checkLiteral('[::a9fe:a9fe]', false)).toThrow(TargetRefusedError);
  });

  it('refuses private addresses inside IPv4-compatible IPv6 when private targets are blocked', () => {
    for (const address of ['::7f00:1', '::127.0.0.1', '::a00:1', '::c0a8:101', '::ac10:1', '::1', '::']) {
      expect(refusal(address, true), address).toContain('private, loopback or link-local address');
      expect(refusal(address, false), address).toBeUndefined();
    }
  });

  it('refuses benchmarking, protocol-assignment, multicast and reserved ranges with private ones', () => {
    for (const address of [
      '198.18.0.1',
      '198.19.255.254',
      '192.0.0.8',
      '192.0.0.170',
      '224.0.0.1',
      '239.255.255.250',
      '240.0.0.1',
      '255.255.255.255',
      'ff02::1',
      'ff05::1:3',
      'ff0e::101',
      '::c612:1',
      '::ffff:198.18.0.1',
      '::e000:1',
      '::ffff:239.255.255.250',
      '64:ff9b::f000:1',
    ]) {
      expect(refusal(address, true), address).toMatch(/special-purpose address|private, loopback/);
      expect(refusal(address, false), address).toBeUndefined();
    }
    expect(refusal('224.0.0.251', true)).toBe(
      '224.0.0.251 is a special-purpose address (multicast, reserved, benchmarking or protocol assignment), refused because VIGIL_BLOCK_PRIVATE_TARGETS is true.',
    );
  });

  it('allows public addresses, whatever their spelling', () => {
    for (const address of [
      '93.184.216.34',
      '198.17.255.255',
      '198.20.0.1',
      '192.0.1.1',
      '223.255.255.255',
      '::5db8:d822',
      '::ffff:93.184.216.34',
      '2606:2800:220:1:248:1893:25c8:1946',
      'fe00::1',
    ]) {
      expect(refusal(address, true), address).toBeUndefined();
    }
  });
});
