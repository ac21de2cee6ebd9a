/** cmh bench entry point (stub until the bench issue lands): prints what is registered. */
const registered: string[] = [];
console.log("cmh bench: no methods are registered yet; the leaderboard is empty.");
console.log(`registered methods: ${registered.length === 0 ? "(none)" : registered.join(", ")}`);
