// The `trustline sim --faults` syntax, and the byte damage behind drop= and corrupt=.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../main/cli/output';
import { simCommand, simUsage } from '../../main/cli/sim-command';
import { damageBytes, describeFaults, FaultSpecError, parseFaultSpec } from '../../main/core/device/simulator/faults';
import { seededRandom } from '../../main/core/device/simulator/seeded-random';

describe('parseFaultSpec', () => {
  it('reads one fault per entry, and combines entries for the same port', () => {
    const faults = parseFaultSpec(
      '2:drop=0.01,3:corrupt=0.02,4:stall,5:unplug,6:duplicate-serial,7:bad-csr,8:refuse-lock,9:wrong-readback,10:wrong-pop-key,2:corrupt=0.5,1:duplicate-serial',
      10,
    );
    assert.deepEqual(Object.fromEntries(faults), {
      2: { drop: 0.01, corrupt: 0.5 },
      3: { corrupt: 0.02 },
      4: { stall: true },
      5: { unplug: true },
      6: { duplicateSerialOf: 1 },
      7: { badCsr: true },
      8: { refuseLock: true },
      9: { wrongReadback: true },
      10: { wrongPopKey: true },
      1: { duplicateSerialOf: 2 },
    });
    assert.equal(describeFaults(faults.get(2)), 'drop=0.01 corrupt=0.5');
    assert.deepEqual(parseFaultSpec(' 3:duplicate-serial=2 ').get(3), { duplicateSerialOf: 2 });
  });

  for (const [spec, part, reason] of [
    ['2:drop', '2:drop', /rate between 0 and 1/],
    ['2:drop=1.5', '2:drop=1.5', /rate between 0 and 1/],
    ['2:corrupt=abc', '2:corrupt=abc', /rate/],
    ['2:stall,3:jam', '3:jam', /unknown fault "jam"/],
    ['stall', 'stall', /PORT:FAULT/],
    ['0:stall', '0:stall', /from 1/],
    ['11:stall', '11:stall', /port 11 does not exist/],
    ['4:stall=1', '4:stall=1', /takes no value/],
    ['4:duplicate-serial=4', '4:duplicate-serial=4', /its own/],
    ['4:duplicate-serial=x', '4:duplicate-serial=x', /port number/],
    ['4:duplicate-serial=12', '4:duplicate-serial=12', /port 12 does not exist/],
    ['2:stall,,3:stall', '2:stall,,3:stall', /empty entry/],
  ] as const) {
    it(`refuses ${JSON.stringify(spec)}, naming "${part}"`, () => {
      assert.throws(
        () => parseFaultSpec(spec, 10),
        (error: unknown) => {
          assert.ok(error instanceof FaultSpecError);
          assert.equal(error.part, part);
          assert.ok(error.message.includes(`"${part}"`), error.message);
          assert.match(error.message, reason);
          return true;
        },
      );
    });
  }
});

describe('damageBytes', () => {
  it('drops and flips bytes at about the given rates, the same way for the same seed', () => {
    const input = Buffer.alloc(100_000, 0x55);
    const run = () => {
      const counters = { bytesDropped: 0, bytesCorrupted: 0 };
      const out = damageBytes(input, { drop: 0.01, corrupt: 0.02 }, seededRandom(42), counters);
      return { out, counters };
    };
    const a = run();
    const b = run();
    assert.deepEqual(a.out, b.out);
    assert.ok(Math.abs(a.counters.bytesDropped - 1000) < 200, String(a.counters.bytesDropped));
    assert.ok(Math.abs(a.counters.bytesCorrupted - 1960) < 300, String(a.counters.bytesCorrupted));
    assert.equal(a.out.length, input.length - a.counters.bytesDropped);
    const flipped = [...a.out].filter((byte) => byte !== 0x55);
    assert.equal(flipped.length, a.counters.bytesCorrupted);
    // One bit each.
    assert.ok(flipped.every((byte) => [1, 2, 4, 8, 16, 32, 64, 128].includes(byte ^ 0x55)));
  });

  it('leaves the bytes alone without drop or corrupt', () => {
    const input = Buffer.from('abc');
    assert.equal(damageBytes(input, {}, seededRandom(1), { bytesDropped: 0, bytesCorrupted: 0 }), input);
  });
});

describe('trustline sim --faults', () => {
  it('is documented in the usage and refused with a usage error naming the bad part', async () => {
    assert.match(simUsage, /--faults SPEC: PORT:FAULT/);
    await assert.rejects(simCommand(['--ports', '2', '--faults', '2:stall,3:unplug']), (error: unknown) => {
      assert.ok(error instanceof UsageError, String(error));
      assert.match(error.message, /"3:unplug": port 3 does not exist \(--ports 2\)/);
      return true;
    });
  });
});
