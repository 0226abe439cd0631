import type { NextFunction, Request, Response } from "express";
import type { RedisClient } from "../platform/redis.js";
import { AppError } from "../platform/errors.js";

// Without Redis there are no sessions, so nothing can be served safely: answer
// 503 straight away rather than treat the visitor as signed out. ioredis keeps
// reconnecting, so the app recovers by itself when Redis returns.
export function requireRedisReady(redis: RedisClient) {
  return (_req: Request, _res: Response, next: NextFunction) => {
    if (redis.status === "ready") return next();
    next(new AppError(503, "SERVICE_UNAVAILABLE", { message: "codes:web.sessionStore" }));
  };
}
