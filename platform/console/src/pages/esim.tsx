import { useState } from 'preact/hooks';
import { formatTime } from '../api.js';
import { href } from '../router.js';
import { ErrorText, Field, Loading, OutcomeText, Section, useAction, useConsole, useLoad } from '../ui.js';

interface ProfileOrder {
  profileOrderId: string;
  subscription: string;
  quantity: number;
  status: string;
  orderedTime: number;
  confirmedTime?: number;
  completedTime?: number;
  speedClass: string;
  description?: string;
  failureReason?: string;
}

interface OrderedProfile {
  profileOrderId: string;
  iccid: string;
  imsi: string;
  matchingId: string;
  activationCode: string;
  profileStatus: string;
  installedTime?: number;
  subscription: string;
}

/** eSIM profile orders, their profiles, the deleted-but-not-terminated list, CSV downloads. */
export function EsimPage() {
  const { api, can } = useConsole();
  const orders = useLoad(() => api.get<ProfileOrder[]>('/v1/sim_profile_orders', { limit: 100 }), []);
  const deleted = useLoad(() => (can('deletedProfiles') ? api.get<OrderedProfile[]>('/_cellgate/esim/deleted_profiles') : Promise.resolve(null)), []);
  const [open, setOpen] = useState<string | null>(null);
  const action = useAction();
  const [subscription, setSubscription] = useState('plan01s');
  const [quantity, setQuantity] = useState('1');
  const [description, setDescription] = useState('');

  const act = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
    await action.run(what, fn);
    orders.reload();
  };

  return (
    <>
      <h1>eSIM</h1>
      <OutcomeText outcome={action.outcome} />
      {can('createOrder') ? <Section title="New profile order">
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void act('Order created (DRAFT)', () => api.post('/v1/sim_profile_orders', { subscription, quantity: Number(quantity), ...(description ? { description } : {}) }));
          }}
        >
          <Field label="Subscription" id="order-subscription">
            <select id="order-subscription" value={subscription} onChange={(e) => setSubscription((e.currentTarget as HTMLSelectElement).value)}>
              <option>plan01s</option>
              <option>planX1</option>
              <option>planP1</option>
            </select>
          </Field>
          <Field label="Quantity" id="order-quantity">
            <input id="order-quantity" type="number" min="1" max="20" value={quantity} onInput={(e) => setQuantity((e.currentTarget as HTMLInputElement).value)} />
          </Field>
          <Field label="Description" id="order-description">
            <input id="order-description" maxLength={100} value={description} onInput={(e) => setDescription((e.currentTarget as HTMLInputElement).value)} />
          </Field>
          <button type="submit" disabled={action.busy}>
            Create order
          </button>
        </form>
      </Section> : null}
      <Section title="Profile orders">
        <ErrorText error={orders.error} />
        {orders.loading && !orders.data ? <Loading what="orders" /> : null}
        {orders.data?.length === 0 ? <p>No order yet.</p> : null}
        {orders.data?.length ? (
          <table class="grid" aria-label="Profile orders">
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Status</th>
                <th scope="col">Plan</th>
                <th scope="col">Quantity</th>
                <th scope="col">Ordered</th>
                <th scope="col">Description</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {orders.data.map((o) => (
                <tr key={o.profileOrderId}>
                  <td>{o.profileOrderId}</td>
                  <td>
                    {o.status}
                    {o.failureReason ? ` — ${o.failureReason}` : ''}
                  </td>
                  <td>{o.subscription}</td>
                  <td>{o.quantity}</td>
                  <td>{formatTime(o.orderedTime)}</td>
                  <td>{o.description ?? ''}</td>
                  <td>
<div class="buttons">
                    {o.status === 'DRAFT' ? (
                      <>
                        {can('confirmOrder') ? <button type="button" class="small" disabled={action.busy} onClick={() => void act(`Order ${o.profileOrderId} confirmed`, () => api.post(`/v1/sim_profile_orders/${o.profileOrderId}/confirm`))}>
                          Confirm
                        </button> : null}
                        {can('cancelOrder') ? <button type="button" class="small" disabled={action.busy} onClick={() => void act(`Order ${o.profileOrderId} cancelled`, () => api.delete(`/v1/sim_profile_orders/${o.profileOrderId}`))}>
                          Cancel
                        </button> : null}
                      </>
                    ) : null}
                    <button type="button" class="small" aria-expanded={open === o.profileOrderId} onClick={() => setOpen(open === o.profileOrderId ? null : o.profileOrderId)}>
                      Profiles
                    </button>
                    {can('profilesCsv') ? <button
                      type="button"
                      class="small"
                      onClick={() => void action.run(`CSV of ${o.profileOrderId} downloaded`, () => api.download(`/_cellgate/sim_profile_orders/${o.profileOrderId}/profiles.csv`, `${o.profileOrderId}-profiles.csv`))}
                    >
                      Download CSV
                    </button> : null}
                  </div>
</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {open ? <OrderProfiles orderId={open} /> : null}
      </Section>
      {can('deletedProfiles') ? <Section title="Deleted from the device, not terminated">
        <p class="muted">These profiles were deleted from their eUICC but their SIM is not terminated, so it is still billed. Terminate the SIM to stop the fees.</p>
        <ErrorText error={deleted.error} />
        {deleted.data?.length === 0 ? <p>None.</p> : null}
        {deleted.data?.length ? <ProfileTable profiles={deleted.data} label="Deleted profiles" /> : null}
      </Section> : null}
    </>
  );
}

function OrderProfiles({ orderId }: { orderId: string }) {
  const { api } = useConsole();
  const profiles = useLoad(() => api.get<OrderedProfile[]>(`/v1/sim_profile_orders/${orderId}/profiles`), [orderId]);
  return (
    <div class="subcard">
      <h3>Profiles of {orderId}</h3>
      <ErrorText error={profiles.error} />
      {profiles.data?.length === 0 ? <p>No profile yet: they appear when the order is COMPLETED.</p> : null}
      {profiles.data?.length ? <ProfileTable profiles={profiles.data} label={`Profiles of ${orderId}`} /> : null}
    </div>
  );
}

/** The reference's `profileStatus` values in words (the code stays beside them). */
const PROFILE_STATUS_WORDS: Record<string, string> = {
  SUBSCRIBER_REGISTRATION_SUCCEEDED: 'Ready to download',
  INSTALLATION_SUCCEEDED: 'Installed',
  INSTALLATION_FAILED: 'Installation failed',
  ACTIVATION_SUCCEEDED: 'Activated',
  ACTIVATION_FAILED: 'Activation failed',
  INACTIVATION_SUCCEEDED: 'Deactivated',
  INACTIVATION_FAILED: 'Deactivation failed',
  DELETION_SUCCEEDED: 'Deleted',
  DELETION_FAILED: 'Deletion failed',
};

function ProfileTable({ profiles, label }: { profiles: OrderedProfile[]; label: string }) {
  return (
    <table class="grid" aria-label={label}>
      <thead>
        <tr>
          <th scope="col">ICCID</th>
          <th scope="col">IMSI</th>
          <th scope="col">Status</th>
          <th scope="col">Plan</th>
          <th scope="col">Installed</th>
          <th scope="col">Activation code</th>
        </tr>
      </thead>
      <tbody>
        {profiles.map((p) => (
          <tr key={p.iccid}>
            <td>{p.iccid}</td>
            <td>
              <a href={href(`sims/${p.imsi}`)}>{p.imsi}</a>
            </td>
            <td>
              <span>{PROFILE_STATUS_WORDS[p.profileStatus] ?? p.profileStatus}</span> <small class="muted">{p.profileStatus}</small>
            </td>
            <td>{p.subscription}</td>
            <td>{formatTime(p.installedTime)}</td>
            <td>
              <code>{p.activationCode}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
