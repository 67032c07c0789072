// Integriteitsbot on Azure: Azure Bot (Teams channel), Linux App Service (Python 3.11),
// Storage account (tables, reached with the web app's managed identity: no account key in any
// setting), Key Vault (the client secret as a Key Vault reference) and Application Insights.
// Deploy: see infra/README.md. Not compiled here (no Azure CLI / Bicep CLI in the build
// environment); tests/unit/test_infra.py parses it with pycep-parser.

@description('Base for resource names (letters and digits, 3-11 characters), e.g. wgintegriteit.')
@minLength(3)
@maxLength(11)
param resourceBaseName string

@description('Azure region for everything except the bot registration (which is global).')
param location string = resourceGroup().location

@description('Entra tenant id of the organisation (the bot is SingleTenant).')
param tenantId string = subscription().tenantId

@description('Application (client) id of the bot\'s Entra app registration.')
param botAppId string

@secure()
@description('Client secret of that app registration; stored in Key Vault only.')
param botAppPassword string

@description('Display name of the bot in Teams and the Azure portal.')
param botDisplayName string = 'Integriteitsbot'

@description('App Service plan SKU (B1 is enough for one organisation; P0v3 for more headroom).')
param appServiceSku string = 'B1'

@description('Address of Woongroen\'s internal reporting procedure (meldregeling), shown on the concern card (https).')
param meldregelingUrl string

@description('Address of the full text of Woongroen\'s code of conduct (https): every acknowledgement card and the suppliers\' mail link to it.')
param codeUrl string

@description('Entra security groups per role, as settings: setting name -> group object id (see infra/README.md), e.g. {"GROUP_<ROLE>_ID": "<object id>"}. Each pair becomes an app setting.')
param directoryGroups object = {}

@description('More app settings (name -> value) from the main README\'s Configuration table, e.g. {"REMINDER_WORKING_DAYS": "5"}.')
param extraSettings object = {}

@description('Azure Bot SKU: F0 (free, standard channels incl. Teams) or S1.')
@allowed([
  'F0'
  'S1'
])
param botSku string = 'F0'

var suffix = uniqueString(resourceGroup().id)
var storageName = toLower(take('${resourceBaseName}${suffix}', 24))
var vaultName = take('${resourceBaseName}-kv-${suffix}', 24)
var webAppName = '${resourceBaseName}-${suffix}'
// Built-in role "Key Vault Secrets User": read secret values, nothing else.
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'
// Built-in role "Storage Table Data Contributor": read and write table entities, no keys.
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageName
  location: location
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    // Entra ID only: the bot signs in with its managed identity; account keys are refused.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
  }
}

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${resourceBaseName}-logs-${suffix}'
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${resourceBaseName}-ai-${suffix}'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: vaultName
  location: location
  properties: {
    tenantId: tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
  }
}

resource botPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'MicrosoftAppPassword'
  properties: {
    value: botAppPassword
  }
}

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: '${resourceBaseName}-plan-${suffix}'
  location: location
  kind: 'linux'
  sku: {
    name: appServiceSku
  }
  properties: {
    reserved: true // Linux
  }
}

resource webApp 'Microsoft.Web/sites@2023-12-01' = {
  name: webAppName
  location: location
  kind: 'app,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: 'SystemAssigned'
    siteConfig: {
      linuxFxVersion: 'PYTHON|3.11'
      appCommandLine: 'python -m bot'
      alwaysOn: true
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      healthCheckPath: '/healthz'
    }
  }
}

// The web app may read the vault's secrets (for its Key Vault references), nothing more.
resource secretsReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, webApp.id, keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: webApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// The web app's identity may create tables and read and write their entities; no account keys.
resource tableWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, webApp.id, storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributor)
    principalId: webApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// Settings the bot reads (bot/settings.py; tests/unit/test_infra.py checks that every setting
// a production deployment needs is here, with a value the bot accepts).
var botSettings = {
  MicrosoftAppId: botAppId
  MicrosoftAppPassword: '@Microsoft.KeyVault(SecretUri=${botPasswordSecret.properties.secretUri})'
  MicrosoftAppType: 'SingleTenant'
  MicrosoftAppTenantId: tenantId
  AZURE_STORAGE_TABLE_ENDPOINT: storage.properties.primaryEndpoints.table
  BOT_HOST: '0.0.0.0'
  BOT_PORT: '8000'
  BOT_PUBLIC_URL: 'https://${webApp.properties.defaultHostName}'
  MELDREGELING_URL: meldregelingUrl
  CODE_URL: codeUrl
  LOG_FORMAT: 'json'
  LOG_LEVEL: 'INFO'
  DEFAULT_LOCALE: 'nl-NL'
  APPLICATIONINSIGHTS_CONNECTION_STRING: insights.properties.ConnectionString
}

// Settings App Service itself reads (not the bot): pip-install requirements.txt on deploy.
var platformSettings = {
  SCM_DO_BUILD_DURING_DEPLOYMENT: 'true'
}

// A child resource, not siteConfig.appSettings: BOT_PUBLIC_URL needs the web app's own host name.
// The role assignments come first, so the Key Vault reference and the tables work at start.
resource appSettings 'Microsoft.Web/sites/config@2023-12-01' = {
  parent: webApp
  name: 'appsettings'
  properties: union(extraSettings, directoryGroups, botSettings, platformSettings)
  dependsOn: [
    secretsReader
    tableWriter
  ]
}

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: '${resourceBaseName}-bot-${suffix}'
  location: 'global'
  kind: 'azurebot'
  sku: {
    name: botSku
  }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${webApp.properties.defaultHostName}/api/messages'
    msaAppId: botAppId
    msaAppType: 'SingleTenant'
    msaAppTenantId: tenantId
    developerAppInsightKey: insights.properties.InstrumentationKey
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
    }
  }
}

output webAppName string = webApp.name
output webAppResourceId string = webApp.id
output messagingEndpoint string = 'https://${webApp.properties.defaultHostName}/api/messages'
output botName string = bot.name
output keyVaultName string = vault.name
output storageAccountName string = storage.name
output publicUrl string = 'https://${webApp.properties.defaultHostName}'
