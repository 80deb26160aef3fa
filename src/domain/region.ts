// Where journeys are walked from. Workers announce their region
// (KEPT_REGION); `kept start` and a worker that names none walk the
// default one.

export const DEFAULT_REGION = 'local'
