import { afterEach, describe, expect, it } from 'vitest';
import { readDocument, type PlatformStore } from './port.js';

/**
 * The behaviour every `PlatformStore` adapter must show. Call it from an adapter's test file with
 * a factory that opens a store and, for persistent adapters, a `reopen` that opens the same data
 * again.
 */
export function describeStoreContract(
  name: string,
  open: () => Promise<{ store: PlatformStore; reopen?: () => Promise<PlatformStore> }>,
): void {
  describe(`PlatformStore contract: ${name}`, () => {
    const opened: PlatformStore[] = [];
    const start = async (): Promise<{ store: PlatformStore; reopen?: () => Promise<PlatformStore> }> => {
      const s = await open();
      opened.push(s.store);
      return s;
    };
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close().catch(() => undefined);
    });

    it('stores, replaces, lists and deletes documents', async () => {
      const { store } = await start();
      await store.transaction(async (tx) => {
        await tx.put('sub', 'b', { v: 2 }, 'OP1');
        await tx.put('sub', 'a', { v: 1 }, 'OP1');
        await tx.put('sub', 'c', { v: 3 }, 'OP2');
        await tx.put('other', 'a', { v: 9 });
      });
      const read = await store.transaction(async (tx) => ({
        a: await tx.get('sub', 'a'),
        missing: await tx.get('sub', 'zz'),
        all: await tx.list('sub'),
        op1: await tx.list('sub', { partition: 'OP1' }),
        page: await tx.list('sub', { after: 'a', limit: 1 }),
      }));
      expect(read.a).toEqual({ v: 1 });
      expect(read.missing).toBeNull();
      expect(read.all).toEqual([{ v: 1 }, { v: 2 }, { v: 3 }]);
      expect(read.op1).toEqual([{ v: 1 }, { v: 2 }]);
      expect(read.page).toEqual([{ v: 2 }]);
      await store.transaction(async (tx) => {
        await tx.put('sub', 'a', { v: 10 }, 'OP2');
        expect(await tx.delete('sub', 'b')).toBe(true);
        expect(await tx.delete('sub', 'b')).toBe(false);
      });
      const after = await store.transaction(async (tx) => tx.list('sub', { partition: 'OP2' }));
      expect(after).toEqual([{ v: 10 }, { v: 3 }]);
    });

    it('takes any string as an id or key (NUL, non-ASCII) and orders ids by their UTF-8 bytes', async () => {
      const { store } = await start();
      const ids = ['z', 'a\u0000b', 'é', 'a', 'B'];
      await store.transaction(async (tx) => {
        for (const id of ids) await tx.put('odd', id, { id }, 'p\u0000q');
        await tx.append('odd-stream', 'k\u0000ey', 1, { v: 1 });
        await tx.putJob({ jobKey: 'job\u0000key', name: 'n', due: 1, payload: null });
      });
      const r = await store.transaction(async (tx) => ({
        all: (await tx.list<{ id: string }>('odd', { partition: 'p\u0000q' })).map((d) => d.id),
        after: (await tx.list<{ id: string }>('odd', { after: 'a' })).map((d) => d.id),
        nul: await tx.get('odd', 'a\u0000b'),
        stream: (await tx.readStream('odd-stream', { key: 'k\u0000ey' })).map((x) => x.key),
        job: (await tx.dueJobs(1)).map((j) => j.jobKey),
      }));
      expect(r.all).toEqual(['B', 'a', 'a\u0000b', 'z', 'é']);
      expect(r.after).toEqual(['a\u0000b', 'z', 'é']);
      expect(r.nul).toEqual({ id: 'a\u0000b' });
      expect(r.stream).toEqual(['k\u0000ey']);
      expect(r.job).toEqual(['job\u0000key']);
    });

    it('rolls back everything when the use case fails', async () => {
      const { store } = await start();
      await store.transaction(async (tx) => tx.put('k', '1', { v: 'kept' }));
      await expect(
        store.transaction(async (tx) => {
          await tx.put('k', '1', { v: 'lost' });
          await tx.append('s', 'x', 1, { lost: true });
          await tx.putJob({ jobKey: 'j', name: 'n', due: 1, payload: null });
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      const state = await store.transaction(async (tx) => ({ doc: await tx.get('k', '1'), stream: await tx.readStream('s'), job: await tx.getJob('j') }));
      expect(state).toEqual({ doc: { v: 'kept' }, stream: [], job: null });
    });

    it('serialises transactions: no interleaving read-modify-write', async () => {
      const { store } = await start();
      await store.transaction(async (tx) => tx.put('counter', 'c', { n: 0 }));
      await Promise.all(
        Array.from({ length: 20 }, () =>
          store.transaction(async (tx) => {
            const c = (await tx.get<{ n: number }>('counter', 'c'))!;
            await new Promise((r) => setImmediate(r));
            await tx.put('counter', 'c', { n: c.n + 1 });
          }),
        ),
      );
      expect(await store.transaction(async (tx) => tx.get('counter', 'c'))).toEqual({ n: 20 });
    });

    it('keeps the others of a concurrent burst when one fails, each durable when it resolves', async () => {
      const { store, reopen } = await start();
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          store.transaction(async (tx) => {
            await tx.put('burst', String(i), { i });
            if (i === 4) throw new Error('refused');
            return i;
          }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
      const check = async (s: PlatformStore): Promise<string[]> => (await s.transaction(async (tx) => tx.list<{ i: number }>('burst'))).map((d) => String(d.i));
      expect(await check(store)).toEqual(['0', '1', '2', '3', '5', '6', '7', '8', '9']);
      if (!reopen) return;
      await store.close();
      const again = await reopen();
      opened.push(again);
      expect(await check(again)).toEqual(['0', '1', '2', '3', '5', '6', '7', '8', '9']);
    });

    it('reads committed data only, without waiting for a writer (adapters with read)', async () => {
      const { store } = await start();
      await store.transaction(async (tx) => tx.put('doc', 'a', { v: 1 }));
      if (!store.read) return;
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const writer = store.transaction(async (tx) => {
        await tx.put('doc', 'a', { v: 2 });
        await held;
      });
      await new Promise((r) => setImmediate(r));
      // A writer is mid-transaction: the read neither waits for it nor sees its uncommitted change.
      expect(await store.read(async (tx) => tx.get('doc', 'a'))).toEqual({ v: 1 });
      release();
      await writer;
      expect(await store.read(async (tx) => tx.get('doc', 'a'))).toEqual({ v: 2 });
    });

    it('reads one committed document: every acknowledged write, never an uncommitted one (readDocument)', async () => {
      const { store } = await start();
      expect(await readDocument(store, 'doc', 'b')).toBeNull();
      await store.transaction(async (tx) => tx.put('doc', 'b', { v: 1, tags: { name: 'x' } }));
      expect(await readDocument(store, 'doc', 'b')).toEqual({ v: 1, tags: { name: 'x' } });
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const writer = store.transaction(async (tx) => {
        await tx.put('doc', 'b', { v: 2, tags: { name: 'y' } });
        await held;
      });
      await new Promise((r) => setImmediate(r));
      if (store.read) expect(await readDocument(store, 'doc', 'b')).toEqual({ v: 1, tags: { name: 'x' } });
      release();
      await writer;
      // Acknowledged: the very next read sees it (a cached copy of v1 must not survive the commit).
      expect(await readDocument(store, 'doc', 'b')).toEqual({ v: 2, tags: { name: 'y' } });
      await store.transaction(async (tx) => tx.delete('doc', 'b'));
      expect(await readDocument(store, 'doc', 'b')).toBeNull();
    });

    it('appends and reads streams by key, time and sequence', async () => {
      const { store } = await start();
      await store.transaction(async (tx) => {
        await tx.append('events', 'imsi1', 100, { e: 1 });
        await tx.append('events', 'imsi2', 150, { e: 2 });
        await tx.append('events', 'imsi1', 200, { e: 3 });
        await tx.append('other', 'imsi1', 200, { e: 4 });
      });
      const r = await store.transaction(async (tx) => ({
        all: (await tx.readStream<{ e: number }>('events')).map((x) => x.body.e),
        key: (await tx.readStream<{ e: number }>('events', { key: 'imsi1' })).map((x) => x.body.e),
        time: (await tx.readStream<{ e: number }>('events', { fromTime: 120, toTime: 200 })).map((x) => x.body.e),
        desc: (await tx.readStream<{ e: number }>('events', { descending: true, limit: 2 })).map((x) => x.body.e),
        seqs: (await tx.readStream('events')).map((x) => x.seq),
      }));
      expect(r.all).toEqual([1, 2, 3]);
      expect(r.key).toEqual([1, 3]);
      expect(r.time).toEqual([2, 3]);
      expect(r.desc).toEqual([3, 2]);
      const after = await store.transaction(async (tx) => tx.readStream('events', { afterSeq: r.seqs[0] }));
      expect(after.map((x) => x.seq)).toEqual(r.seqs.slice(1));
    });

    it('keeps scheduled jobs ordered by due time, replacing by key', async () => {
      const { store } = await start();
      await store.transaction(async (tx) => {
        await tx.putJob({ jobKey: 'b', name: 'expiry', due: 300, payload: { imsi: 'b' } });
        await tx.putJob({ jobKey: 'a', name: 'expiry', due: 200, payload: { imsi: 'a' } });
        await tx.putJob({ jobKey: 'b', name: 'expiry', due: 100, payload: { imsi: 'b2' } });
      });
      const r = await store.transaction(async (tx) => ({ next: await tx.nextJobDue(), due: await tx.dueJobs(250) }));
      expect(r.next).toBe(100);
      expect(r.due.map((j) => [j.jobKey, j.payload])).toEqual([
        ['b', { imsi: 'b2' }],
        ['a', { imsi: 'a' }],
      ]);
      await store.transaction(async (tx) => {
        expect(await tx.deleteJob('b')).toBe(true);
      });
      expect(await store.transaction(async (tx) => tx.nextJobDue())).toBe(200);
    });

    it('notifies listeners once a transaction committed, never on rollback', async () => {
      const { store } = await start();
      const heard: (string | null)[] = [];
      let wake: () => void = () => undefined;
      const stop = await store.listen('orders', (p) => {
        heard.push(p);
        wake();
      });
      const arrived = new Promise<void>((r) => (wake = r));
      await expect(
        store.transaction(async (tx) => {
          tx.notify('orders', 'rolled-back');
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      await store.transaction(async (tx) => {
        await tx.put('k', 'n', { v: 1 });
        tx.notify('orders', 'committed');
        tx.notify('elsewhere', 'not ours');
      });
      await arrived;
      expect(heard).toEqual(['committed']);
      await stop();
      await store.transaction(async (tx) => tx.notify('orders', 'after stop'));
      await store.transaction(async (tx) => tx.get('k', 'n'));
      expect(heard).toEqual(['committed']);
    });

    it('runs work under a named lock, refusing a second holder until the first is done', async () => {
      const { store } = await start();
      let release: () => void = () => undefined;
      const held = new Promise<void>((r) => (release = r));
      let inside: () => void = () => undefined;
      const entered = new Promise<void>((r) => (inside = r));
      const first = store.tryWithLock('job:a', async () => {
        inside();
        await held;
        return 'first';
      });
      await entered;
      expect(await store.tryWithLock('job:a', async () => 'second')).toEqual({ acquired: false });
      expect(await store.tryWithLock('job:b', async () => 'other')).toEqual({ acquired: true, value: 'other' });
      release();
      expect(await first).toEqual({ acquired: true, value: 'first' });
      expect(await store.tryWithLock('job:a', async () => 'again')).toEqual({ acquired: true, value: 'again' });
      await expect(store.tryWithLock('job:a', async () => Promise.reject(new Error('failed inside')))).rejects.toThrow('failed inside');
      expect(await store.tryWithLock('job:a', async () => 'freed after a failure')).toEqual({ acquired: true, value: 'freed after a failure' });
    });

    it('keeps committed data across a reopen (persistent adapters)', async () => {
      const { store, reopen } = await start();
      if (!reopen) return;
      await store.transaction(async (tx) => {
        await tx.put('sub', 'x', { v: 1 });
        await tx.append('s', 'x', 1, { v: 1 });
        await tx.putJob({ jobKey: 'j', name: 'n', due: 5, payload: { p: 1 } });
      });
      await store.close();
      const again = await reopen();
      opened.push(again);
      const r = await again.transaction(async (tx) => ({ doc: await tx.get('sub', 'x'), s: (await tx.readStream('s')).length, job: await tx.getJob('j') }));
      expect(r).toEqual({ doc: { v: 1 }, s: 1, job: { jobKey: 'j', name: 'n', due: 5, payload: { p: 1 } } });
    });
  });
}
