import { useEffect, useState } from 'preact/hooks';
import { describeError } from '../api.js';
import { href, navigate } from '../router.js';
import { ErrorText, Field, Loading, OnlineBadge, StatusBadge, useConsole, useLoad } from '../ui.js';
import type { Group, Subscriber } from '../types.js';

export const STATUSES = ['ready', 'active', 'inactive', 'standby', 'suspended', 'terminated', 'transferring'];
export const SPEED_CLASSES = ['s1.minimum', 's1.slow', 's1.standard', 's1.fast', 's1.4xfast', 's1.8xfast', 'u1.standard', 'u1.slow', 't1.standard'];
const PAGE_SIZES = [25, 50, 100];

/** The IMEI a person looks for: the live session's, else the last session's, else the lock. */
export function imeiOf(s: Subscriber): string {
  return s.sessionStatus?.imei ?? s.previousSession?.imei ?? s.imeiLock?.imei ?? '';
}

/**
 * The SIM list: the filters `listSubscribers` offers (status, speed class, tag with exact or
 * prefix match), pages of 25–100 by `last_evaluated_key` (so 10,000 SIMs cost one page each),
 * and online / status kept current by the live events.
 */
export function SimsPage({ query }: { query: URLSearchParams }) {
  const { api, live } = useConsole();
  const filters = {
    status: query.get('status') ?? '',
    speed: query.get('speed') ?? '',
    tag: query.get('tag') ?? '',
    value: query.get('value') ?? '',
    match: query.get('match') ?? 'prefix',
    serial: query.get('serial') ?? '',
    limit: query.get('limit') ?? '50',
  };
  const filterKey = JSON.stringify(filters);
  const [keys, setKeys] = useState<string[]>([]); // page start keys; [] = first page
  useEffect(() => setKeys([]), [filterKey]);
  const after = keys.at(-1);

  const { data, error, loading, setData } = useLoad(async () => {
    const res = await api.request<Subscriber[]>('GET', '/v1/subscribers', {
      query: {
        limit: filters.limit,
        last_evaluated_key: after,
        status_filter: filters.status,
        speed_class_filter: filters.speed,
        serial_number_filter: filters.serial,
        tag_name: filters.tag,
        tag_value: filters.tag ? filters.value : undefined,
        tag_value_match_mode: filters.tag && filters.value ? filters.match : undefined,
      },
    });
    return { items: res.data, next: res.headers.get('x-soracom-next-key') };
  }, [filterKey, after]);

  useEffect(
    () =>
      live.on((e) => {
        if (e.kind !== 'sim') return;
        setData((current) =>
          current && current.items.some((s) => s.imsi === e.imsi)
            ? {
                ...current,
                items: current.items.map((s) =>
                  s.imsi !== e.imsi
                    ? s
                    : { ...s, ...(e.status ? { status: e.status } : {}), ...(e.online !== undefined ? { sessionStatus: { ...(s.sessionStatus ?? {}), online: e.online } } : {}) },
                ),
              }
            : current,
        );
      }),
    [live],
  );

  // Groups by id, to show their names (one call; the API pages groups by 100).
  const groups = useLoad(() => api.get<Group[]>('/v1/groups', { limit: 100 }).catch(() => [] as Group[]), []);
  const groupName = (id: string | undefined): string => {
    if (!id) return '';
    const name = groups.data?.find((g) => g.groupId === id)?.tags?.name;
    return name ?? id;
  };

  const [imsi, setImsi] = useState('');
  const [findError, setFindError] = useState<string | null>(null);
  /** An IMSI opens its page; anything else is looked up as a SIM ID with the Sim API (`getSim`). */
  const find = async (text: string): Promise<void> => {
    setFindError(null);
    if (/^\d{15}$/.test(text)) return navigate(`sims/${text}`);
    try {
      const sim = await api.get<{ activeProfileId?: string; profiles?: Record<string, { primaryImsi?: string }> }>(`/v1/sims/${encodeURIComponent(text)}`);
      const found = sim.profiles?.[sim.activeProfileId ?? '']?.primaryImsi ?? Object.values(sim.profiles ?? {})[0]?.primaryImsi;
      if (found) navigate(`sims/${found}`);
      else setFindError(`SIM ${text} has no subscriber.`);
    } catch (e) {
      setFindError(`No SIM ${text}: ${describeError(e)}`);
    }
  };
  const [draft, setDraft] = useState(filters);
  useEffect(() => setDraft(filters), [filterKey]);
  const set = (k: keyof typeof filters) => (e: Event) => setDraft({ ...draft, [k]: (e.currentTarget as HTMLInputElement).value });
  /** Status and speed class take several values, `|`-separated as the API does. */
  const toggle = (k: 'status' | 'speed', value: string) => (e: Event) => {
    const chosen = new Set(draft[k].split('|').filter(Boolean));
    if ((e.currentTarget as HTMLInputElement).checked) chosen.add(value);
    else chosen.delete(value);
    setDraft({ ...draft, [k]: [...chosen].join('|') });
  };
  const checked = (k: 'status' | 'speed', value: string): boolean => draft[k].split('|').includes(value);
  const apply = (e: Event): void => {
    e.preventDefault();
    navigate('sims', { ...draft, serial: draft.serial.trim(), match: draft.value ? draft.match : undefined, limit: draft.limit === '50' ? undefined : draft.limit });
  };
  const page = keys.length + 1;
  const size = Number(filters.limit);

  return (
    <>
      <h1>SIMs</h1>
      <form
        class="card toolbar"
        role="search"
        aria-label="Find a SIM by IMSI"
        onSubmit={(e) => {
          e.preventDefault();
          if (imsi.trim()) void find(imsi.trim());
        }}
      >
        <Field label="IMSI or SIM ID" id="find-imsi" hint="15-digit IMSI, or the SIM ID (ICCID)">
          <input id="find-imsi" inputMode="numeric" value={imsi} onInput={(e) => setImsi((e.currentTarget as HTMLInputElement).value)} />
        </Field>
        <button type="submit">Open SIM</button>
        <ErrorText error={findError} />
      </form>
      <form class="card toolbar" aria-label="Filter SIMs" onSubmit={apply}>
        <fieldset class="choices">
          <legend>Status (none: any)</legend>
          {STATUSES.map((s) => (
            <label key={s} class="inline">
              <input type="checkbox" checked={checked('status', s)} onChange={toggle('status', s)} /> {s}
            </label>
          ))}
        </fieldset>
        <fieldset class="choices">
          <legend>Speed class (none: any)</legend>
          {SPEED_CLASSES.map((s) => (
            <label key={s} class="inline">
              <input type="checkbox" checked={checked('speed', s)} onChange={toggle('speed', s)} /> {s}
            </label>
          ))}
        </fieldset>
        <Field label="Serial number starts with" id="f-serial" hint="several: separate with |">
          <input id="f-serial" value={draft.serial} onInput={set('serial')} />
        </Field>
        <Field label="Tag name" id="f-tag" hint="e.g. name">
          <input id="f-tag" value={draft.tag} onInput={set('tag')} />
        </Field>
        <Field label="Tag value" id="f-value">
          <input id="f-value" value={draft.value} onInput={set('value')} />
        </Field>
        <Field label="Match" id="f-match">
          <select id="f-match" value={draft.match} onChange={set('match')}>
            <option value="prefix">starts with</option>
            <option value="exact">exactly</option>
          </select>
        </Field>
        <Field label="Per page" id="f-limit">
          <select id="f-limit" value={draft.limit} onChange={set('limit')}>
            {PAGE_SIZES.map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </Field>
        <button type="submit">Apply filters</button>
        <a href={href('sims')}>Clear</a>
      </form>
      <ErrorText error={error} />
      {loading && !data ? <Loading what="SIMs" /> : null}
      {data ? (
        <>
          <table class="grid" aria-label="SIMs" aria-busy={loading}>
            <thead>
              <tr>
                <th scope="col">IMSI</th>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Session</th>
                <th scope="col">Plan</th>
                <th scope="col">Speed class</th>
                <th scope="col">Group</th>
                <th scope="col">Tags</th>
                <th scope="col">IMEI</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((s) => (
                <tr key={s.imsi} data-imsi={s.imsi}>
                  <td>
                    <a href={href(`sims/${s.imsi}`)}>{s.imsi}</a>
                  </td>
                  <td>{s.tags.name ?? ''}</td>
                  <td>
                    <StatusBadge status={s.status} />
                  </td>
                  <td>
                    <OnlineBadge online={Boolean(s.sessionStatus?.online)} />
                  </td>
                  <td>{s.subscription}</td>
                  <td>{s.speedClass}</td>
                  <td title={s.groupId}>{groupName(s.groupId)}</td>
                  <td class="tags">
                    {Object.entries(s.tags)
                      .filter(([k]) => k !== 'name')
                      .map(([k, v]) => `${k}=${v}`)
                      .join(', ')}
                  </td>
                  <td>{imeiOf(s)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {data.items.length === 0 ? <p>No SIM matches.</p> : null}
          <nav class="pager" aria-label="SIM pages">
            <button type="button" disabled={keys.length === 0 || loading} onClick={() => setKeys(keys.slice(0, -1))}>
              Previous page
            </button>
            <span>
              Page {page} · SIMs {data.items.length ? (page - 1) * size + 1 : 0}–{(page - 1) * size + data.items.length}
            </span>
            <button type="button" disabled={!data.next || loading} onClick={() => data.next && setKeys([...keys, data.next])}>
              Next page
            </button>
          </nav>
        </>
      ) : null}
    </>
  );
}
