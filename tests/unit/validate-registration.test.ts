import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attributesOf, validateRegistration } from '../../renderer/screens/devices/validate-registration';

const base = { name: 'gw-001', description: '', groupId: 'g', attributes: [{ key: '', value: '' }] };

describe('registration form validation', () => {
  it('accepts a complete form and ignores blank attribute rows', () => {
    assert.deepEqual(validateRegistration(base), {});
    assert.deepEqual(
      attributesOf([
        { key: ' mac ', value: '00:11' },
        { key: '', value: '' },
      ]),
      { mac: '00:11' },
    );
  });

  it('requires a name and a group', () => {
    const errors = validateRegistration({ ...base, name: '  ', groupId: '' });
    assert.equal(errors.name?.key, 'validation.required');
    assert.equal(errors.groupId?.key, 'validation.required');
  });

  it('flags oversized fields with their limit', () => {
    const errors = validateRegistration({ ...base, name: 'n'.repeat(129), description: 'd'.repeat(1025) });
    assert.deepEqual(errors.name, { key: 'validation.tooLong', values: { max: 128 } });
    assert.deepEqual(errors.description, { key: 'validation.tooLong', values: { max: 1024 } });
  });

  it('flags bad, missing and duplicate attribute keys', () => {
    const errors = validateRegistration({
      ...base,
      attributes: [
        { key: 'mac', value: '1' },
        { key: 'mac', value: '2' },
        { key: 'bad key', value: '3' },
        { key: '', value: 'orphan' },
      ],
    });
    assert.equal(errors['attr.1.key']?.key, 'validation.duplicateKey');
    assert.equal(errors['attr.2.key']?.key, 'validation.attributeKey');
    assert.equal(errors['attr.3.key']?.key, 'validation.required');
    assert.equal(errors['attr.0.key'], undefined);
  });
});
