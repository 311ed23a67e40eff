import pkcs11js from 'pkcs11js';
import { KeyStoreError } from './key-store';
import { toKeyStoreError } from './pkcs11-errors';
import { acquireModule, releaseModule } from './pkcs11-module-registry';

// Defined by PKCS#11 but missing from pkcs11js's type declarations.
const CKF_TOKEN_PRESENT = 0x1;

export interface Pkcs11TokenSummary {
  readonly label: string;
  readonly manufacturer: string;
  readonly model: string;
  readonly serial: string;
  readonly initialized: boolean;
  readonly loginRequired: boolean;
}

export interface Pkcs11SlotSummary {
  /** CK_SLOT_ID in decimal, as softhsm2-util and pkcs11-tool print it. */
  readonly slotId: string;
  readonly description: string;
  readonly token: Pkcs11TokenSummary | null;
}

/** PKCS#11 pads text fields with spaces (some modules with NULs) to a fixed width. */
export function paddedText(value: string): string {
  return value.replace(/[\s\0]+$/u, '');
}

/** CK_SLOT_ID comes back as a native-endian CK_ULONG buffer. */
export function slotIdOf(slot: Buffer): string {
  if (slot.length >= 8) return slot.readBigUInt64LE(0).toString();
  return slot.readUIntLE(0, Math.min(slot.length, 6)).toString();
}

function summarizeToken(info: pkcs11js.TokenInfo): Pkcs11TokenSummary {
  return {
    label: paddedText(info.label),
    manufacturer: paddedText(info.manufacturerID),
    model: paddedText(info.model),
    serial: paddedText(info.serialNumber),
    initialized: (info.flags & pkcs11js.CKF_TOKEN_INITIALIZED) !== 0,
    loginRequired: (info.flags & pkcs11js.CKF_LOGIN_REQUIRED) !== 0,
  };
}

export interface TokenSlot {
  readonly slot: Buffer;
  readonly token: Pkcs11TokenSummary;
}

/** Every slot with a token present, with what the token says about itself. */
export function tokenSlots(pkcs11: pkcs11js.PKCS11): TokenSlot[] {
  try {
    return pkcs11.C_GetSlotList(true).map((slot) => ({ slot, token: summarizeToken(pkcs11.C_GetTokenInfo(slot)) }));
  } catch (error) {
    throw toKeyStoreError(error, "listing the module's tokens");
  }
}

/**
 * The slot holding the initialised token labelled `label`. By label, not slot id: SoftHSM2
 * gives a token a new slot id when it is initialised and on every restart.
 */
export function findTokenSlot(pkcs11: pkcs11js.PKCS11, label: string): TokenSlot {
  const slots = tokenSlots(pkcs11);
  const match = slots.find((entry) => entry.token.initialized && entry.token.label === label);
  if (match) return match;
  const labels = slots.filter((entry) => entry.token.initialized).map((entry) => `"${entry.token.label}"`);
  throw new KeyStoreError(
    'HSM_TOKEN_NOT_FOUND',
    `no token labelled "${label}"; the module has ${labels.length > 0 ? `tokens ${labels.join(', ')}` : 'no initialised tokens'}`,
  );
}

/** Lists the module's slots and their tokens, for a setup screen or `trustline hsm slots`. */
export async function listPkcs11Slots(
  modulePath: string,
  options: { softHsmConfig?: string } = {},
): Promise<Pkcs11SlotSummary[]> {
  const module = acquireModule(modulePath, options);
  try {
    const { pkcs11 } = module;
    return pkcs11.C_GetSlotList(false).map((slot) => {
      const slotInfo = pkcs11.C_GetSlotInfo(slot);
      const present = (slotInfo.flags & CKF_TOKEN_PRESENT) !== 0;
      return {
        slotId: slotIdOf(slot),
        description: paddedText(slotInfo.slotDescription),
        token: present ? summarizeToken(pkcs11.C_GetTokenInfo(slot)) : null,
      };
    });
  } catch (error) {
    throw toKeyStoreError(error, `listing the slots of ${modulePath}`);
  } finally {
    releaseModule(module);
  }
}
