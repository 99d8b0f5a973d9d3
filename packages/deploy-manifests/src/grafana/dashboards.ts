export function dashboardFiles(): Map<string, string> {
  return new Map();
}
