import { listPkcs11Slots, type Pkcs11SlotSummary } from '../../../hsm';
import { toStationError } from '../errors/key-store-error';

/** The slots and tokens a PKCS#11 module offers, for choosing an external HSM's token. */
export async function listKeyStoreSlots(modulePath: string): Promise<Pkcs11SlotSummary[]> {
  try {
    return await listPkcs11Slots(modulePath);
  } catch (error) {
    throw toStationError(error, 'list-slots');
  }
}
