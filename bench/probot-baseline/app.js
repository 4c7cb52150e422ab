// The reference for bench/server.sh: a minimal Probot app that only
// verifies webhooks (Probot does that before calling the app) and keeps the
// deliveries in memory; no durability. Started the standard way (`run`,
// what `probot run` does: its HTTP server, its request logging).
// Usage: APP_ID=1 PRIVATE_KEY_PATH=key.pem WEBHOOK_SECRET=s PORT=N node app.js
import { run } from "probot";

const seen = new Map();
const app = (probot) => {
  probot.onAny(async (context) => {
    // Keep the id and the action, not 24 KB per delivery.
    seen.set(context.id, context.payload.action ?? "");
  });
};

await run(app);
