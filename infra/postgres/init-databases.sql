-- Database per service: no service reads another's tables.
CREATE DATABASE fleetplane_gateway;
CREATE DATABASE fleetplane_agent_hub;
CREATE DATABASE fleetplane_command;
CREATE DATABASE fleetplane_telemetry;
CREATE DATABASE fleetplane_backup;
