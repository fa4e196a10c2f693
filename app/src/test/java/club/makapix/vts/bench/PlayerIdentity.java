package club.makapix.vts.bench;

/** A registered player's key and MQTT password (the same identities publish to VTS and to Mosquitto). */
record PlayerIdentity(String key, String secret) {}
