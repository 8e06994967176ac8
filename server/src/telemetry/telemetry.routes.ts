/**
 * `POST /api/v1/telemetry`. Checks run cheapest first and before the body is read where they can:
 * 429 rate limit → 503 ingest off → 401 token → 415 content type → 413 size → 400 JSON → 400 schema → 200 when durable.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { ErrorResponse } from '@models/api.ts';
import { MAX_READINGS_PER_BATCH, type IngestAccepted } from '@models/telemetry.ts';
import type { TelemetryService } from './telemetry.service.ts';

/** Room for a full batch (MAX_READINGS_PER_BATCH readings of ~200 bytes each). */
export const INGEST_BODY_LIMIT = 4 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

const isJson = (contentType: string | undefined) => /^application\/json\s*(;|$)/i.test(contentType ?? '');

export async function registerTelemetryRoutes(http: FastifyInstance, deps: { service: TelemetryService; rateLimitPerMinute: number }): Promise<void> {
  const { service } = deps;
  // Encapsulated: the rate limiter and the error shapes apply to this route only.
  await http.register(async (scope) => {
    await scope.register(rateLimit, {
      global: false,
      errorResponseBuilder: (_req, ctx) => new HttpError(429, `too many ingest requests: at most ${ctx.max} per minute per client; retry in ${ctx.after}`),
    });

    scope.setErrorHandler((err: FastifyError, req, reply) => {
      const status = err.statusCode ?? 500;
      let error = err.message;
      if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') error = `request body too large: at most ${INGEST_BODY_LIMIT} bytes; send at most ${MAX_READINGS_PER_BATCH} readings per batch`;
      else if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') error = 'request body is not valid JSON';
      else if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') error = 'request body is empty; expected {"readings": [...]}';
      else if (status >= 500 && !(err instanceof HttpError)) {
        req.log.error({ err }, 'ingest failed');
        error = 'the batch could not be stored; nothing was written, send it again';
      }
      return reply.code(status).send({ error } satisfies ErrorResponse);
    });

    scope.post(
      '/api/v1/telemetry',
      {
        bodyLimit: INGEST_BODY_LIMIT,
        config: { rateLimit: { max: deps.rateLimitPerMinute, timeWindow: 60_000 } },
        // preParsing, so the rate limiter (onRequest) counts refused requests too, and no body is read before auth.
        preParsing: async (req: FastifyRequest, reply: FastifyReply, payload) => {
          const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
          const problem = service.authProblem(match?.[1]);
          if (problem) {
            if (problem.status === 401) reply.header('www-authenticate', 'Bearer realm="ingest"');
            throw new HttpError(problem.status, problem.error);
          }
          if (!isJson(req.headers['content-type'])) throw new HttpError(415, `Content-Type must be application/json, not ${req.headers['content-type'] ?? 'missing'}`);
          return payload;
        },
      },
      async (req, reply): Promise<IngestAccepted | ErrorResponse> => {
        const outcome = service.ingest(req.body);
        if (!outcome.ok) return reply.code(outcome.status ?? 400).send({ error: `${outcome.status === 409 ? 'conflicting batch' : 'invalid batch'}: ${outcome.issues.length} problem(s), nothing was stored`, issues: outcome.issues });
        return outcome.accepted;
      },
    );
  });
}
