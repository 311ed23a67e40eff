import { useTranslation } from 'react-i18next';
import { useUsers } from '../../state/users-store';
import { CheckboxGroup } from '../../components/CheckboxGroup';

interface RolePickerProps {
  selected: readonly string[];
  onChange: (roleIds: string[]) => void;
  error: string | null;
}

/** The station's roles as checkboxes, by name; the values are the role ids the contract wants. */
export function RolePicker({ selected, onChange, error }: RolePickerProps) {
  const { t } = useTranslation();
  const roles = useUsers((s) => s.roles);
  if (roles.length === 0) return <p className="help">{t('users.form.noRoles')}</p>;
  const nameOf = new Map(roles.map((role) => [role.id, role.name]));
  return (
    <CheckboxGroup
      legend={t('users.form.roles')}
      name="roles"
      options={roles.map((role) => role.id)}
      selected={selected}
      labelOf={(id) => nameOf.get(id) ?? id}
      onChange={onChange}
      error={error}
      testId="role-picker"
    />
  );
}
