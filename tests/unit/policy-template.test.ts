// Policy templates (main/core/policies/template.ts) and the rules a policy body must meet beyond
// its schema (main/core/policies/profile-rules.ts), including the Matter DAC preset's.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { oids } from '../../main/core/pki/oids';
import { findPreset, policyPresets } from '../../main/core/policies/presets';
import { policyProblems } from '../../main/core/policies/profile-rules';
import { renderTemplate, type TemplateSource } from '../../main/core/policies/template';
import { type PolicyBody, policyBodySchema } from '../../preload/contract';

const source: TemplateSource = {
  attributes: { serial: '000123', mac: '00:11:22:33:44:55', 'hw.rev': 'B2', empty: '' },
  device: { id: '5f0c1c9e-7a4b-4c1e-9a55-1d2f3e4a5b6c', name: 'gw-001' },
  csrSubject: [
    { oid: oids.commonName, name: 'CN', value: 'device-from-csr' },
    { oid: oids.organization, name: 'O', value: 'Acme' },
  ],
};

describe('renderTemplate', () => {
  it('fills {attr.NAME} from the attributes', () => {
    assert.deepEqual(renderTemplate('{attr.serial}', source), { value: '000123', missing: [] });
  });

  it('keeps a scanned serial exactly as text, leading zeros included', () => {
    assert.equal(renderTemplate('SN{attr.serial}', source).value, 'SN000123');
  });

  it('fills {device.name} and {device.id}', () => {
    assert.deepEqual(renderTemplate('{device.name}', source), { value: 'gw-001', missing: [] });
    assert.equal(renderTemplate('{device.id}', source).value, source.device?.id);
  });

  it('fills {csr.CN} and other CSR subject attributes by short name', () => {
    assert.deepEqual(renderTemplate('{csr.CN}', source), { value: 'device-from-csr', missing: [] });
    assert.equal(renderTemplate('{csr.O}/{csr.CN}', source).value, 'Acme/device-from-csr');
  });

  it('leaves literal text alone and mixes it with placeholders', () => {
    assert.deepEqual(renderTemplate('Acme Sensor', source), { value: 'Acme Sensor', missing: [] });
    assert.equal(
      renderTemplate('{device.name} ({attr.mac}) rev {attr.hw.rev}', source).value,
      'gw-001 (00:11:22:33:44:55) rev B2',
    );
  });

  it('reads attribute names that contain dots', () => {
    assert.deepEqual(renderTemplate('{attr.hw.rev}', source), { value: 'B2', missing: [] });
    // The whole dotted name is the key: "hw" alone is not an attribute.
    assert.deepEqual(renderTemplate('{attr.hw}', source).missing, ['attr.hw']);
  });

  it('reports every missing value by name instead of guessing', () => {
    const rendered = renderTemplate('{attr.vid}-{attr.pid}-{attr.serial}', source);
    assert.deepEqual(rendered.missing, ['attr.vid', 'attr.pid']);
  });

  it('reports missing device and CSR values by name', () => {
    const bare: TemplateSource = { attributes: {} };
    assert.deepEqual(renderTemplate('{device.name}', bare).missing, ['device.name']);
    assert.deepEqual(renderTemplate('{csr.CN}', bare).missing, ['csr.CN']);
    assert.deepEqual(renderTemplate('{csr.OU}', source).missing, ['csr.OU']);
    assert.deepEqual(renderTemplate('{device.serial}', source).missing, ['device.serial']);
  });

  it('counts a value that is present but empty as missing', () => {
    assert.deepEqual(renderTemplate('x{attr.empty}y', source).missing, ['attr.empty']);
    const emptyName: TemplateSource = { attributes: {}, device: { id: 'i', name: '' } };
    assert.deepEqual(renderTemplate('{device.name}', emptyName).missing, ['device.name']);
  });

  it('does not take inherited object properties for attributes', () => {
    assert.deepEqual(renderTemplate('{attr.constructor}', source).missing, ['attr.constructor']);
    assert.deepEqual(renderTemplate('{attr.toString}', source).missing, ['attr.toString']);
  });
});

/** A preset's body made complete, as policies.create composes it. */
function bodyOf(presetName: string, overrides: Partial<PolicyBody> = {}): PolicyBody {
  const preset = findPreset(presetName);
  assert.ok(preset, `preset ${presetName}`);
  return policyBodySchema.parse({
    ...structuredClone(preset.body),
    name: `${presetName} policy`,
    issuingCaId: '00000000-0000-4000-8000-000000000001',
    ...overrides,
  });
}

describe('policyProblems', () => {
  it('finds nothing wrong with the Matter DAC preset under a P-256 CA', () => {
    assert.deepEqual(policyProblems(bodyOf('matter-dac'), 'EC-P256'), []);
  });

  it('names the CA when a Matter DAC policy sits under a P-384 CA', () => {
    const problems = policyProblems(bodyOf('matter-dac'), 'EC-P384');
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /PAI.*P-256/);
  });

  it('finds nothing wrong with any preset under a P-256 CA', () => {
    for (const preset of policyPresets) {
      assert.deepEqual(policyProblems(bodyOf(preset.name), 'EC-P256'), [], preset.name);
    }
  });

  it('refuses keyCertSign and cRLSign in a device certificate', () => {
    const withCertSign = policyProblems(
      bodyOf('tls-client', { keyUsage: ['digitalSignature', 'keyCertSign'] }),
      'EC-P256',
    );
    assert.equal(withCertSign.length, 1);
    assert.match(withCertSign[0] ?? '', /keyCertSign/);
    assert.equal(policyProblems(bodyOf('tls-client', { keyUsage: ['cRLSign'] }), 'EC-P256').length, 1);
  });

  it('lists each Matter rule a body breaks', () => {
    const cases: [Partial<PolicyBody>, RegExp][] = [
      [{ allowedKeyTypes: ['EC-P256', 'EC-P384'] }, /P-256 keys only/],
      [{ signatureHash: 'SHA-384' }, /ECDSA-SHA256/],
      [{ keyUsage: ['digitalSignature', 'keyAgreement'] }, /digitalSignature only/],
      [{ keyUsageCritical: false }, /digitalSignature only, marked critical/],
      [{ basicConstraintsCritical: false }, /basicConstraints critical/],
      [{ extendedKeyUsage: ['clientAuth'] }, /no extended key usage/],
      [
        {
          subject: [
            { type: 'CN', value: 'x' },
            { type: 'matterVid', value: '{attr.vid}' },
          ],
        },
        /one PID/,
      ],
      [
        {
          subject: [
            { type: 'matterVid', value: '{attr.vid}' },
            { type: 'matterVid', value: 'FFF1' },
            { type: 'matterPid', value: '{attr.pid}' },
          ],
        },
        /one VID/,
      ],
    ];
    for (const [override, expected] of cases) {
      const problems = policyProblems(bodyOf('matter-dac', override), 'EC-P256');
      assert.equal(problems.length, 1, `${JSON.stringify(override)}: ${problems.join('; ')}`);
      assert.match(problems[0] ?? '', expected);
    }
  });

  it('reports a fixed notAfter that is no date, and a pattern that is no regular expression', () => {
    const badDate = policyProblems(
      bodyOf('tls-client', { validity: { kind: 'fixed', notAfter: '99991331235959Z' } }),
      null,
    );
    assert.equal(badDate.length, 1);
    assert.match(badDate[0] ?? '', /99991331235959Z/);
    const badPattern = policyProblems(
      bodyOf('tls-client', { subject: [{ type: 'CN', value: '{attr.serial}', pattern: '[0-9' }] }),
      null,
    );
    assert.equal(badPattern.length, 1);
    assert.match(badPattern[0] ?? '', /CN/);
  });

  it('requires the serial in an IEEE 802.1AR subject', () => {
    const problems = policyProblems(
      bodyOf('ieee-802.1ar-idevid', { subject: [{ type: 'CN', value: '{device.name}' }] }),
      'EC-P256',
    );
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /serialNumber/);
  });
});
