import { useTranslation } from 'react-i18next';
import type { Permission } from '../../../preload/contract';
import { CheckboxGroup } from '../../components/CheckboxGroup';
import { permissionGroups, permissionLabelKey } from './permission-groups';

interface PermissionPickerProps {
  selected: readonly Permission[];
  onChange: (selected: Permission[]) => void;
  error: string | null;
}

/** Permission checkboxes, one box per area of the station, in the order the groups list them. */
export function PermissionPicker({ selected, onChange, error }: PermissionPickerProps) {
  const { t } = useTranslation();
  const replaceGroup = (group: readonly Permission[], chosen: Permission[]) =>
    onChange(
      permissionGroups.flatMap((g) =>
        g.permissions.filter((p) => (group.includes(p) ? chosen.includes(p) : selected.includes(p))),
      ),
    );
  return (
    <fieldset className="editor-section" data-testid="permission-picker">
      <legend>{t('users.form.permissions')}</legend>
      {permissionGroups.map((group) => (
        <CheckboxGroup<Permission>
          key={group.key}
          legend={t(`users.permissionGroups.${group.key}`)}
          name="permissions"
          options={group.permissions}
          selected={selected}
          labelOf={(p) => t(permissionLabelKey(p))}
          onChange={(chosen) => replaceGroup(group.permissions, chosen)}
        />
      ))}
      {error ? <span className="field-error">{error}</span> : null}
    </fieldset>
  );
}
