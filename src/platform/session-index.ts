import { deleteKeys, getMany, type RedisClient } from "./redis.js";
import type { SessionData } from "express-session";

// A per-user index of session ids (a Redis sorted set scored by the absolute
// expiry), so "end this session" and "sign out everywhere" work without
// scanning keys. It is written only at sign-in, rotation and sign-out; a
// session that expires on its own is pruned the next time the index is read
// (its key is gone, or its score is in the past), so the index never lies.
// Redis Cluster: a session's key (`sess:<sid>`, named by connect-redis) and
// its user's index live in different slots, so nothing here spans both in one
// command: sessions are read and deleted key by key, and the index is changed
// after the sessions (a failure in between leaves an entry whose key is gone,
// pruned at the next read).
export interface SessionIndex {
  add(userId: string, sid: string, expiresAtMs: number): Promise<void>;
  remove(userId: string, sid: string): Promise<void>;
  list(userId: string, nowMs: number): Promise<Array<{ sid: string; data: SessionData }>>;
  destroy(userId: string, sids: string[]): Promise<void>;
}

const MAX_INDEX_LIFETIME_SECONDS = 31 * 86_400;

export function createSessionIndex(redis: RedisClient, prefix: string): SessionIndex {
  const indexKey = (userId: string) => `${prefix}user-sessions:${userId}`;
  const sessionKey = (sid: string) => `${prefix}sess:${sid}`;

  return {
    async add(userId, sid, expiresAtMs) {
      await redis.multi().zadd(indexKey(userId), expiresAtMs, sid).expire(indexKey(userId), MAX_INDEX_LIFETIME_SECONDS).exec();
    },

    async remove(userId, sid) {
      await redis.zrem(indexKey(userId), sid);
    },

    async list(userId, nowMs) {
      const key = indexKey(userId);
      await redis.zremrangebyscore(key, "-inf", nowMs);
      const sids = await redis.zrange(key, 0, -1);
      if (sids.length === 0) return [];
      const values = await getMany(redis, sids.map(sessionKey));
      const live: Array<{ sid: string; data: SessionData }> = [];
      const gone: string[] = [];
      sids.forEach((sid, i) => {
        const raw = values[i];
        if (raw) live.push({ sid, data: JSON.parse(raw) as SessionData });
        else gone.push(sid);
      });
      if (gone.length) await redis.zrem(key, ...gone);
      return live;
    },

    async destroy(userId, sids) {
      if (sids.length === 0) return;
      // The sessions first: once their keys are gone they are over on every process.
      await deleteKeys(redis, sids.map(sessionKey));
      await redis.zrem(indexKey(userId), ...sids);
    },
  };
}
