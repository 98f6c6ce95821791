{{/* Names, labels and the pieces shared by several templates. */}}

{{- define "psutil-exporter.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "psutil-exporter.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The namespace of every object: namespaceOverride, else the release's. */}}
{{- define "psutil-exporter.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "psutil-exporter.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "psutil-exporter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "psutil-exporter.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "psutil-exporter.labels" -}}
helm.sh/chart: {{ include "psutil-exporter.chart" . }}
{{ include "psutil-exporter.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: metrics
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "psutil-exporter.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "psutil-exporter.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "psutil-exporter.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
The --web.listen-address argument. listenOnAllInterfaces=false binds the node's IP (status.hostIP), an address that
only the node's network namespace has: without hostNetwork the agent could not bind it and would never start.
*/}}
{{- define "psutil-exporter.listenAddress" -}}
{{- if .Values.service.listenOnAllInterfaces }}
{{- printf "0.0.0.0:%v" .Values.service.port }}
{{- else if .Values.hostNetwork }}
{{- printf "[$(HOST_IP)]:%v" .Values.service.port }}
{{- else }}
{{- fail "service.listenOnAllInterfaces=false needs hostNetwork=true: the node's IP is not an address of the pod's network namespace" }}
{{- end }}
{{- end }}

{{- define "psutil-exporter.telemetryPath" -}}
{{- dig "web" "telemetry_path" "/metrics" .Values.config }}
{{- end }}

{{/* Where the init container puts the admin token: a 0400 regular file owned by the agent's user. */}}
{{- define "psutil-exporter.adminTokenFile" -}}
/run/psutil-exporter/admin/token
{{- end }}

{{/*
The agent's config file: .Values.config with admin.enabled forced to .Values.admin.enabled (so that the capabilities
and the config cannot disagree) and admin.token_file pointed at the copied token when a Secret provides one.
*/}}
{{- define "psutil-exporter.config" -}}
{{- $cfg := deepCopy (default (dict) .Values.config) }}
{{- $admin := deepCopy (default (dict) (get $cfg "admin")) }}
{{- $_ := set $admin "enabled" .Values.admin.enabled }}
{{- if and .Values.admin.enabled .Values.admin.tokenSecret.name }}
{{- $_ := set $admin "token_file" (include "psutil-exporter.adminTokenFile" .) }}
{{- end }}
{{- if and .Values.admin.enabled (not (hasKey $admin "token_file")) (not (hasKey $admin "tls_server_config")) }}
{{- fail "admin.enabled needs admin.tokenSecret.name or config.admin.tls_server_config: the agent refuses to start an admin API without authentication" }}
{{- end }}
{{- $_ := set $cfg "admin" $admin }}
{{- toYaml $cfg }}
{{- end }}

{{/*
The pod's securityContext: .Values.podSecurityContext, or uid 0 (still with every capability but the admin API's
three dropped) when admin.runAsRoot asks for it.
*/}}
{{- define "psutil-exporter.podSecurityContext" -}}
{{- $sc := deepCopy (default (dict) .Values.podSecurityContext) }}
{{- if and .Values.admin.enabled .Values.admin.runAsRoot }}
{{- $sc = merge (dict "runAsUser" 0 "runAsGroup" 0 "runAsNonRoot" false) (omit $sc "runAsUser" "runAsGroup" "runAsNonRoot") }}
{{- end }}
{{- toYaml $sc }}
{{- end }}

{{/*
A container's securityContext: .Values.containerSecurityContext, never privileged, every capability dropped; the
admin API's three added back only for the agent container (admin: true) and only when admin.enabled.
Call with (dict "root" $ "admin" true|false).
*/}}
{{- define "psutil-exporter.containerSecurityContext" -}}
{{- $caps := dict "drop" (list "ALL") }}
{{- if and .admin .root.Values.admin.enabled }}
{{- $_ := set $caps "add" (list "KILL" "SYS_NICE" "SYS_RESOURCE") }}
{{- end }}
{{- $base := omit (default (dict) .root.Values.containerSecurityContext) "privileged" "capabilities" }}
{{- toYaml (merge (dict "privileged" false "capabilities" $caps) $base) }}
{{- end }}
