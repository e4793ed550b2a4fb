<#
.SYNOPSIS
  Build the Outreach installer for Windows: dist\Outreach-<version>-setup.exe.

.DESCRIPTION
  From the repository root (any current folder works): creates .venv if missing,
  installs Outreach with its build tools (pip install -e .[build]), freezes it with
  installer\outreach.spec into dist\outreach\, runs the frozen self-test, then
  compiles installer\windows\outreach.iss with Inno Setup 6, passing the version
  and publisher read from the package.

  Needs: Python 3.11+ (the py launcher or python on PATH) and Inno Setup 6
  (ISCC.exe on PATH, in its default folder, or named by $env:ISCC).

.EXAMPLE
  powershell -ExecutionPolicy Bypass -File installer\windows\build.ps1
#>
param(
    [string]$Python = "",
    [switch]$SkipSelfTest
)

$ErrorActionPreference = "Stop"
$Root = Resolve-Path (Join-Path $PSScriptRoot "..\..")
Set-Location $Root

function Invoke-Checked {
    # PowerShell does not stop on a failing program, only on cmdlet errors.
    param([string]$What, [scriptblock]$Command)
    Write-Host "==> $What"
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE)." }
}

$Venv = Join-Path $Root ".venv"
$Py = Join-Path $Venv "Scripts\python.exe"
if (-not (Test-Path $Py)) {
    if ($Python) {
        Invoke-Checked "create .venv" { & $Python -m venv $Venv }
    } elseif (Get-Command py -ErrorAction SilentlyContinue) {
        Invoke-Checked "create .venv" { & py -3 -m venv $Venv }
    } else {
        Invoke-Checked "create .venv" { & python -m venv $Venv }
    }
}
Invoke-Checked "check Python 3.11+" {
    & $Py -c "import sys; sys.exit(sys.version_info < (3, 11))"
}
Invoke-Checked "upgrade pip" { & $Py -m pip install --quiet --upgrade pip }
# The crypt extra (SQLCipher) too, so the installed app can encrypt databases.
Write-Host "==> install Outreach, SQLCipher and the build tools"
& $Py -m pip install --quiet --only-binary sqlcipher3 -e ".[build,crypt,pg]"
if ($LASTEXITCODE -ne 0) {
    Write-Warning "SQLCipher has no wheel here: this build will not encrypt databases."
    Invoke-Checked "install Outreach and its build tools" { & $Py -m pip install --quiet -e ".[build,pg]" }
}

$Version = (& $Py -c "import outreach; print(outreach.__version__)").Trim()
$Publisher = (& $Py -c "from importlib.metadata import metadata; print(metadata('outreach')['Author'] or 'Outreach developers')").Trim()
# Windows file versions are digits and dots only: 1.2.0rc1 -> 1.2.0.
$Numeric = ($Version -replace '^(\d+(\.\d+){0,3}).*$', '$1')
Write-Host "Outreach $Version ($Publisher)"

if (Test-Path "dist\outreach") { Remove-Item -Recurse -Force "dist\outreach" }
$Started = Get-Date
Invoke-Checked "PyInstaller" {
    & $Py -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build installer\outreach.spec
}
$Seconds = [int]((Get-Date) - $Started).TotalSeconds
$Bytes = (Get-ChildItem -Recurse -File "dist\outreach" | Measure-Object -Property Length -Sum).Sum
Write-Host ("Built dist\outreach in {0} s, {1:N0} MB" -f $Seconds, ($Bytes / 1MB))

if (-not $SkipSelfTest) {
    # The console executable; the window step opens briefly on the real desktop.
    Invoke-Checked "frozen self-test" { & "dist\outreach\outreach.exe" self-test }
}

$Iscc = $env:ISCC
if (-not $Iscc) {
    $found = Get-Command iscc -ErrorAction SilentlyContinue
    if ($found) { $Iscc = $found.Source }
}
if (-not $Iscc) {
    $Iscc = @(
        "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe",
        "$env:ProgramFiles\Inno Setup 6\ISCC.exe",
        "$env:LOCALAPPDATA\Programs\Inno Setup 6\ISCC.exe"
    ) | Where-Object { $_ -and (Test-Path $_) } | Select-Object -First 1
}
if (-not $Iscc) {
    throw "Inno Setup 6 is not installed (ISCC.exe not found). Install it from https://jrsoftware.org/isdl.php or set `$env:ISCC."
}
Invoke-Checked "Inno Setup" {
    & $Iscc /Qp "/DAppVersion=$Version" "/DAppVersionNumeric=$Numeric" "/DAppPublisher=$Publisher" "installer\windows\outreach.iss"
}
Write-Host "Installer: dist\Outreach-$Version-setup.exe"
