// Who owns a copy's fields (server-side apply's `metadata.managedFields`), decided without I/O.
//
// A create from a baseline writes each copy into a brand-new namespace with a plain create, as
// field manager `t-env-create`: nothing exists there yet, and a create costs the API server about a
// third less than a server-side apply of the same object (an apply reads the live object first and
// merges), measured on the local control plane. The API server records a create as an `Update`
// entry of that manager. Server-side apply removes only the fields that the applier's own `Apply`
// entry owns, so a field the baseline later drops would stay in a copy refreshed by `t-env`'s apply
// while `t-env-create` still owns it. Before refresh first applies such a copy, it therefore hands the
// create's entry over to `t-env`'s Apply entry (one merge patch of `managedFields`, what client-go's
// csaupgrade does for client-side apply): from then on the copy is owned exactly as if it had been
// applied in the first place, and refresh removes what the baseline dropped.
//
// `t-env`'s own Update entries (sleep's and wake's merge patches) are left as they are.

/** One entry of `metadata.managedFields`, as the API returns it (`time` may be a Date once parsed). */
export interface ManagedFieldsEntry {
  manager?: string | undefined;
  operation?: string | undefined;
  apiVersion?: string | undefined;
  fieldsType?: string | undefined;
  fieldsV1?: object | undefined;
  subresource?: string | undefined;
  time?: unknown;
}

type FieldSet = Record<string, unknown>;

function isFieldSet(value: unknown): value is FieldSet {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The union of two FieldsV1 sets (a trie of `f:`, `k:`, `v:` and `i:` keys, `.` for the node itself). */
export function unionFields(a: object | undefined, b: object | undefined): FieldSet {
  const out: FieldSet = { ...(isFieldSet(a) ? a : {}) };
  for (const [key, value] of Object.entries(isFieldSet(b) ? b : {})) {
    const mine = out[key];
    out[key] = isFieldSet(mine) && isFieldSet(value) ? unionFields(mine, value) : (isFieldSet(value) ? unionFields({}, value) : value);
  }
  return out;
}

/**
 * The `managedFields` of an object once `createManager`'s Update entry (of the main resource) is
 * handed over to `applyManager`'s Apply entry, merged into that entry when it exists already (a
 * create resumed with an apply leaves both). Undefined when there is nothing to hand over.
 */
export function handedOverFields(entries: readonly ManagedFieldsEntry[] | undefined, createManager: string, applyManager: string): ManagedFieldsEntry[] | undefined {
  if (!entries) return undefined;
  const isCreate = (e: ManagedFieldsEntry): boolean => e.manager === createManager && e.operation === 'Update' && !e.subresource;
  const created = entries.filter(isCreate);
  if (created.length === 0) return undefined;
  const rest = entries.filter((e) => !isCreate(e));
  const applyIndex = rest.findIndex((e) => e.manager === applyManager && e.operation === 'Apply' && !e.subresource);
  const fields = created.reduce<FieldSet>((set, e) => unionFields(set, e.fieldsV1), applyIndex >= 0 ? unionFields({}, rest[applyIndex]!.fieldsV1) : {});
  const first = created[0]!;
  const entry: ManagedFieldsEntry = {
    manager: applyManager, operation: 'Apply', apiVersion: (applyIndex >= 0 ? rest[applyIndex]!.apiVersion : undefined) ?? first.apiVersion,
    fieldsType: 'FieldsV1', fieldsV1: fields, time: (applyIndex >= 0 ? rest[applyIndex]!.time : undefined) ?? first.time,
  };
  return applyIndex >= 0 ? rest.map((e, i) => (i === applyIndex ? entry : e)) : [...rest, entry];
}
